#include "ops/ref/softmax_ref.h"

#include <math.h>

void mbi_ref_softmax_f32(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                         bool take_log)
{
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            const float *xp = x + o * len * inner + j;
            float *yp = y + o * len * inner + j;
            float max = -INFINITY;
            for (int64_t i = 0; i < len; i++)
                if (xp[i * inner] > max)
                    max = xp[i * inner];
            double sum = 0.0;
            for (int64_t i = 0; i < len; i++) {
                float e = expf(xp[i * inner] - max);
                sum += e;
                if (!take_log)
                    yp[i * inner] = e;
                else
                    yp[i * inner] = xp[i * inner] - max;
            }
            if (take_log) {
                float ls = (float)log(sum);
                for (int64_t i = 0; i < len; i++)
                    yp[i * inner] -= ls;
            } else {
                float inv = (float)(1.0 / sum);
                for (int64_t i = 0; i < len; i++)
                    yp[i * inner] *= inv;
            }
        }
}
