#include "ops/ref/norm_ref.h"

#include <math.h>

void mbi_ref_batchnorm_f32(const float *x, float *y, int64_t batch, int64_t channels,
                           int64_t spatial, const float *scale, const float *bias,
                           const float *mean, const float *var, float eps)
{
    for (int64_t b = 0; b < batch; b++)
        for (int64_t ch = 0; ch < channels; ch++) {
            float a = scale[ch] / sqrtf(var[ch] + eps);
            float shift = bias[ch] - mean[ch] * a;
            const float *xp = x + (b * channels + ch) * spatial;
            float *yp = y + (b * channels + ch) * spatial;
            for (int64_t s = 0; s < spatial; s++)
                yp[s] = xp[s] * a + shift;
        }
}

/* Mean and biased variance of n values (two passes, for accuracy). */
static void moments(const float *x, int64_t n, double *mean, double *var)
{
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += x[i];
    double mu = n > 0 ? sum / (double)n : 0.0;
    for (int64_t i = 0; i < n; i++)
        sq += ((double)x[i] - mu) * ((double)x[i] - mu);
    *mean = mu;
    *var = n > 0 ? sq / (double)n : 0.0;
}

void mbi_ref_instancenorm_f32(const float *x, float *y, int64_t batch, int64_t channels,
                              int64_t spatial, const float *scale, const float *bias, float eps)
{
    for (int64_t b = 0; b < batch; b++)
        for (int64_t ch = 0; ch < channels; ch++) {
            const float *xp = x + (b * channels + ch) * spatial;
            float *yp = y + (b * channels + ch) * spatial;
            double mu, var;
            moments(xp, spatial, &mu, &var);
            double a = scale[ch] / sqrt(var + eps);
            for (int64_t s = 0; s < spatial; s++)
                yp[s] = (float)(((double)xp[s] - mu) * a + bias[ch]);
        }
}

void mbi_ref_layernorm_f32(const float *x, float *y, int64_t outer, int64_t inner,
                           const float *scale, const float *bias, float eps, float *mean_out,
                           float *inv_std_out)
{
    for (int64_t r = 0; r < outer; r++) {
        const float *xr = x + r * inner;
        float *yr = y + r * inner;
        double mu, var;
        moments(xr, inner, &mu, &var);
        double inv_std = 1.0 / sqrt(var + eps);
        for (int64_t i = 0; i < inner; i++) {
            double v = ((double)xr[i] - mu) * inv_std * scale[i];
            yr[i] = (float)(bias ? v + bias[i] : v);
        }
        if (mean_out)
            mean_out[r] = (float)mu;
        if (inv_std_out)
            inv_std_out[r] = (float)inv_std;
    }
}

void mbi_ref_lpnorm_f32(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                        int p)
{
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            const float *xp = x + o * len * inner + in;
            float *yp = y + o * len * inner + in;
            double norm = 0.0;
            for (int64_t i = 0; i < len; i++) {
                double v = xp[i * inner];
                norm += p == 1 ? fabs(v) : v * v;
            }
            if (p != 1)
                norm = sqrt(norm);
            for (int64_t i = 0; i < len; i++)
                yp[i * inner] = norm != 0.0 ? (float)(xp[i * inner] / norm) : 0.0f;
        }
}

void mbi_ref_lrn_f32(const float *x, float *y, int64_t batch, int64_t channels, int64_t spatial,
                     int64_t size, float alpha, float beta, float bias)
{
    const int64_t before = (size - 1) / 2, after = size / 2;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t c = 0; c < channels; c++) {
            int64_t lo = c - before < 0 ? 0 : c - before;
            int64_t hi = c + after >= channels ? channels - 1 : c + after;
            for (int64_t s = 0; s < spatial; s++) {
                double sq = 0.0;
                for (int64_t j = lo; j <= hi; j++) {
                    double v = x[(b * channels + j) * spatial + s];
                    sq += v * v;
                }
                double den = pow((double)bias + (double)alpha / (double)size * sq, (double)beta);
                y[(b * channels + c) * spatial + s] =
                    (float)(x[(b * channels + c) * spatial + s] / den);
            }
        }
}
