/* Float32 per-channel work on channels-last blocks [P][C] (P rows of C
 * channels, row stride ld >= C): the passes of squeeze-and-excitation
 * (src/ops/squeeze_excite*.c) and the per-input-channel scaling of packed
 * GEMM weights.
 *
 *   sum:        acc[c] += sum_p x[p][c]
 *   axpy:       acc[c] += sum_p a[p] * x[p][c]     (a row-form GEMV: a 1x1
 *                                                   convolution of one pixel)
 *   scale:      y[p][c] = x[p][c] * s[c]
 *   scale_rows: y[p][c] = x[p][c] * s[p]
 *
 * No alignment is needed and nothing outside the P rows of C floats (and
 * acc[0..C), s[0..C) or s[0..P)) is read or written: channel tails use
 * masks. y may equal x (same ld). Sums are accumulated in a fixed order for
 * given P and C (not necessarily p = 0, 1, ...: SIMD variants keep several
 * partial sums per channel), so results differ from a plain loop by
 * rounding only. */
#ifndef MBI_KERNELS_F32_CHANWISE_H
#define MBI_KERNELS_F32_CHANWISE_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h"

typedef struct mbi_f32_chanwise_kernel mbi_f32_chanwise_kernel;

struct mbi_f32_chanwise_kernel {
    const char *name; /* "scalar", "avx2", "avx512" */
    bool (*supported)(const mbi_cpu *cpu);
    void (*sum)(size_t p, size_t c, const float *x, size_t ldx, float *acc);
    void (*axpy)(size_t p, size_t c, const float *a, const float *x, size_t ldx, float *acc);
    void (*scale)(size_t p, size_t c, const float *x, size_t ldx, const float *s, float *y,
                  size_t ldy);
    void (*scale_rows)(size_t p, size_t c, const float *x, size_t ldx, const float *s, float *y,
                       size_t ldy);
};

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_chanwise_kernel *mbi_f32_chanwise_select(const mbi_cpu *cpu);

/* Every compiled variant, best first, for tests and benchmarks. */
const mbi_f32_chanwise_kernel *const *mbi_f32_chanwise_variants(size_t *count);

extern const mbi_f32_chanwise_kernel mbi_f32_chanwise_scalar;
extern const mbi_f32_chanwise_kernel mbi_f32_chanwise_avx2;
extern const mbi_f32_chanwise_kernel mbi_f32_chanwise_avx512;

#endif
