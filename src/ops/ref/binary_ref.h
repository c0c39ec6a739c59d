/* Reference kernels of broadcasting elementwise operators with two inputs
 * (arithmetic, comparison, logic, PRelu, Pow) and of Where.
 *
 * Shapes: a, b and out follow the geometry g (see broadcast_ref.h): out is
 * dense with g->numel elements; a is input 0 and b input 1 of g. out may be
 * the same buffer as a when a is not broadcast (in-place). */
#ifndef MBI_OPS_REF_BINARY_REF_H
#define MBI_OPS_REF_BINARY_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/ref/broadcast_ref.h"

typedef enum mbi_binop {
    MBI_BINOP_ADD,
    MBI_BINOP_SUB,
    MBI_BINOP_MUL,
    /* Integer division truncates toward zero like C; x / 0 gives 0 rather
     * than trapping, as a hostile model must not crash the process. */
    MBI_BINOP_DIV,
    /* Integer remainder with the sign of the divisor (ONNX Mod, fmod=0). */
    MBI_BINOP_MOD,
    /* Remainder with the sign of the dividend (C fmod / %; Mod fmod=1). */
    MBI_BINOP_FMOD,
    MBI_BINOP_MIN, /* float: NaN if either is NaN */
    MBI_BINOP_MAX,
    MBI_BINOP_PRELU, /* a < 0 ? a * b : a */
    /* Comparisons write bool (one byte, 0 or 1). */
    MBI_BINOP_EQUAL,
    MBI_BINOP_LESS,
    MBI_BINOP_LESS_EQUAL,
    MBI_BINOP_GREATER,
    MBI_BINOP_GREATER_EQUAL,
    /* Logic on bool inputs, bool output. */
    MBI_BINOP_AND,
    MBI_BINOP_OR,
    MBI_BINOP_XOR
} mbi_binop;

/* Whether mbi_ref_binary has a kernel for op on inputs of dtype. */
bool mbi_ref_binary_supported(mbi_binop op, mobinfer_dtype dtype);

/* out = op(a, b) elementwise; a and b have dtype `dtype`, out has dtype
 * (bool for comparisons and logic). Does nothing for an unsupported pair. */
void mbi_ref_binary(mbi_binop op, mobinfer_dtype dtype, const mbi_bcast *g, const void *a,
                    const void *b, void *out);

/* Whether mbi_ref_pow handles base and exponent of these types. */
bool mbi_ref_pow_supported(mobinfer_dtype base, mobinfer_dtype exponent);

/* out = a ** b; out has a's dtype. Integer bases with integer exponents are
 * computed exactly (wrapping on overflow; negative exponents give 1/a**n
 * truncated); anything with a float is computed in double and converted. */
void mbi_ref_pow(const mbi_bcast *g, mobinfer_dtype a_dtype, const void *a,
                 mobinfer_dtype b_dtype, const void *b, void *out);

/* out = cond ? x : y, with inputs 0, 1, 2 of g being cond (bool), x and y.
 * Elements are copied as elem_size bytes (1, 2, 4 or 8). */
void mbi_ref_where(const mbi_bcast *g, size_t elem_size, const uint8_t *cond, const void *x,
                   const void *y, void *out);

#endif
