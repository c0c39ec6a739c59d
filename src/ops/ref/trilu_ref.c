#include "ops/ref/trilu_ref.h"

#include <string.h>

void mbi_ref_trilu(size_t elem_size, int64_t batch, int64_t rows, int64_t cols, int64_t k,
                   bool upper, const void *x, void *out)
{
    const char *src = x;
    char *dst = out;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t i = 0; i < rows; i++) {
            size_t row = (size_t)((b * rows + i) * cols) * elem_size;
            for (int64_t j = 0; j < cols; j++) {
                bool keep = upper ? j - i >= k : j - i <= k;
                char *o = dst + row + (size_t)j * elem_size;
                if (!keep)
                    memset(o, 0, elem_size);
                else if (dst != src)
                    memcpy(o, src + row + (size_t)j * elem_size, elem_size);
            }
        }
}
