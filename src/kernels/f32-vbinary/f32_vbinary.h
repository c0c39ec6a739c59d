/* Float32 binary arithmetic on contiguous rows: the building block of the
 * float32 fast path of Add, Sub, Mul, Div, Min and Max (src/ops/binary.c
 * walks the broadcast geometry row by row and calls one of these per row).
 *
 * Every function computes out[i] = a' op b' for i < n, where a' is a[i]
 * (vv, vs) or a[0] (sv) and b' is b[i] (vv, sv) or b[0] (vs). out may equal
 * a or b when that operand is not the broadcast one (in place). No alignment
 * is needed and nothing outside [0, n) of any operand is touched (masked
 * tails). Results equal the reference kernels (ops/ref/binary_ref.c)
 * bit for bit, NaN payloads aside: one IEEE operation per element; Min and
 * Max give NaN when either operand is NaN and, on equal operands (+0 and
 * -0), the first. */
#ifndef MBI_KERNELS_F32_VBINARY_H
#define MBI_KERNELS_F32_VBINARY_H

#include <stdbool.h>
#include <stddef.h>

#include "dispatch/cpu.h"
#include "dispatch/kernels.h" /* typedef mbi_f32_vbinary_kernel */

typedef enum mbi_f32_vbinop {
    MBI_F32_VBINOP_ADD,
    MBI_F32_VBINOP_SUB,
    MBI_F32_VBINOP_MUL,
    MBI_F32_VBINOP_DIV,
    MBI_F32_VBINOP_MIN,
    MBI_F32_VBINOP_MAX,
    MBI_F32_VBINOP_COUNT
} mbi_f32_vbinop;

typedef void (*mbi_f32_vbinary_fn)(const float *a, const float *b, float *out, size_t n);

struct mbi_f32_vbinary_kernel {
    const char *name; /* "scalar", "avx2", "avx512" */
    bool (*supported)(const mbi_cpu *cpu);
    mbi_f32_vbinary_fn vv[MBI_F32_VBINOP_COUNT]; /* a[i] op b[i] */
    mbi_f32_vbinary_fn vs[MBI_F32_VBINOP_COUNT]; /* a[i] op b[0] */
    mbi_f32_vbinary_fn sv[MBI_F32_VBINOP_COUNT]; /* a[0] op b[i] */
};

/* Best variant for this CPU (never NULL: scalar always available). */
const mbi_f32_vbinary_kernel *mbi_f32_vbinary_select(const mbi_cpu *cpu);

/* Every compiled variant, best first, for tests and benchmarks. */
const mbi_f32_vbinary_kernel *const *mbi_f32_vbinary_variants(size_t *count);

/* The variants; `supported` of each is one of the predicates of
 * dispatch/cpu.h (compiled for the baseline ISA). */
extern const mbi_f32_vbinary_kernel mbi_f32_vbinary_scalar;
extern const mbi_f32_vbinary_kernel mbi_f32_vbinary_avx2;
extern const mbi_f32_vbinary_kernel mbi_f32_vbinary_avx512;

#endif
