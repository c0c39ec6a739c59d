/* The portable variant of the f32-chanwise family: plain loops the compiler
 * vectorizes for the baseline ISA (rows outer, channels inner, so each row
 * is read once and contiguously). */
#include "kernels/f32-chanwise/f32_chanwise.h"

static void sum(size_t p, size_t c, const float *x, size_t ldx, float *acc)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < c; j++)
            acc[j] += x[i * ldx + j];
}

static void axpy(size_t p, size_t c, const float *a, const float *x, size_t ldx, float *acc)
{
    for (size_t i = 0; i < p; i++) {
        const float ai = a[i];
        for (size_t j = 0; j < c; j++)
            acc[j] += ai * x[i * ldx + j];
    }
}

static void scale(size_t p, size_t c, const float *x, size_t ldx, const float *s, float *y,
                  size_t ldy)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < c; j++)
            y[i * ldy + j] = x[i * ldx + j] * s[j];
}

static void scale_rows(size_t p, size_t c, const float *x, size_t ldx, const float *s, float *y,
                       size_t ldy)
{
    for (size_t i = 0; i < p; i++) {
        const float si = s[i];
        for (size_t j = 0; j < c; j++)
            y[i * ldy + j] = x[i * ldx + j] * si;
    }
}

const mbi_f32_chanwise_kernel mbi_f32_chanwise_scalar = {"scalar", mbi_cpu_any, sum, axpy,
                                                         scale, scale_rows};
