#include "ops/ref/binary_ref.h"

#include <math.h>

/* One kernel per (operator, dtype), generated from an expression in x and y
 * (the two elements; T is their type, U the unsigned type of the same width
 * for wrap-around arithmetic, since signed overflow is undefined in C and
 * a model may well overflow). Each row of the geometry is a plain loop,
 * split by which input is broadcast along it so the compiler sees unit
 * strides. */
typedef void (*binary_fn)(const mbi_bcast *g, const void *a, const void *b, void *out);

#define DEFINE_BINARY(NAME, TA, UA, TO, EXPR)                                      \
    static void NAME(const mbi_bcast *g, const void *va, const void *vb, void *vo) \
    {                                                                              \
        typedef TA T;                                                              \
        typedef UA U;                                                              \
        (void)sizeof(T);                                                           \
        (void)sizeof(U);                                                           \
        const T *a = va, *b = vb;                                                  \
        TO *out = vo;                                                              \
        if (g->numel == 0)                                                         \
            return;                                                                \
        const int last = g->rank - 1;                                              \
        const int64_t n = g->dims[last];                                           \
        const int64_t sa = g->strides[0][last], sb = g->strides[1][last];          \
        mbi_bcast_iter it;                                                         \
        mbi_bcast_iter_begin(g, &it);                                              \
        do {                                                                       \
            const T *pa = a + it.off[0], *pb = b + it.off[1];                      \
            if (sa == 1 && sb == 1) {                                              \
                for (int64_t i = 0; i < n; i++) {                                  \
                    const T x = pa[i], y = pb[i];                                  \
                    out[i] = (TO)(EXPR);                                           \
                }                                                                  \
            } else if (sb == 0) {                                                  \
                const T y = pb[0];                                                 \
                for (int64_t i = 0; i < n; i++) {                                  \
                    const T x = pa[i * sa];                                        \
                    out[i] = (TO)(EXPR);                                           \
                }                                                                  \
            } else {                                                               \
                const T x = pa[0];                                                 \
                for (int64_t i = 0; i < n; i++) {                                  \
                    const T y = pb[i];                                             \
                    out[i] = (TO)(EXPR);                                           \
                }                                                                  \
            }                                                                      \
            out += n;                                                              \
        } while (mbi_bcast_iter_next(g, &it));                                     \
    }

/* float, the three signed types, uint8; result of the input type. */
#define DEFINE_ARITH(NAME, FEXPR, SEXPR, UEXPR)                        \
    DEFINE_BINARY(NAME##_f32, float, float, float, FEXPR)              \
    DEFINE_BINARY(NAME##_i64, int64_t, uint64_t, int64_t, SEXPR)       \
    DEFINE_BINARY(NAME##_i32, int32_t, uint32_t, int32_t, SEXPR)       \
    DEFINE_BINARY(NAME##_i8, int8_t, uint8_t, int8_t, SEXPR)           \
    DEFINE_BINARY(NAME##_u8, uint8_t, uint8_t, uint8_t, UEXPR)

/* Comparisons: every numeric type, bool result. */
#define DEFINE_CMP(NAME, EXPR)                                         \
    DEFINE_BINARY(NAME##_f32, float, float, uint8_t, EXPR)             \
    DEFINE_BINARY(NAME##_i64, int64_t, uint64_t, uint8_t, EXPR)        \
    DEFINE_BINARY(NAME##_i32, int32_t, uint32_t, uint8_t, EXPR)        \
    DEFINE_BINARY(NAME##_i8, int8_t, uint8_t, uint8_t, EXPR)           \
    DEFINE_BINARY(NAME##_u8, uint8_t, uint8_t, uint8_t, EXPR)

static inline int64_t div_s(int64_t x, int64_t y)
{
    if (y == 0)
        return 0;
    if (y == -1) /* INT_MIN / -1 traps */
        return (int64_t)(0 - (uint64_t)x);
    return x / y;
}

static inline uint64_t div_u(uint64_t x, uint64_t y)
{
    return y == 0 ? 0 : x / y;
}

static inline int64_t fmod_s(int64_t x, int64_t y)
{
    return (y == 0 || y == -1) ? 0 : x % y;
}

static inline uint64_t fmod_u(uint64_t x, uint64_t y)
{
    return y == 0 ? 0 : x % y;
}

static inline int64_t mod_s(int64_t x, int64_t y)
{
    int64_t r = fmod_s(x, y);
    if (r != 0 && ((r < 0) != (y < 0)))
        r += y;
    return r;
}

static inline float mod_f(float x, float y)
{
    float r = fmodf(x, y);
    if (r != 0 && ((r < 0) != (y < 0)))
        r += y;
    return r;
}

static inline float min_f(float x, float y)
{
    if (isnan(x) || isnan(y))
        return NAN;
    return y < x ? y : x;
}

static inline float max_f(float x, float y)
{
    if (isnan(x) || isnan(y))
        return NAN;
    return y > x ? y : x;
}

DEFINE_ARITH(add, x + y, (U)x + (U)y, x + y)
DEFINE_ARITH(sub, x - y, (U)x - (U)y, x - y)
DEFINE_ARITH(mul, x * y, (U)x * (U)y, (unsigned)x * (unsigned)y)
DEFINE_ARITH(div, x / y, div_s(x, y), div_u(x, y))
DEFINE_ARITH(mod, mod_f(x, y), mod_s(x, y), fmod_u(x, y))
DEFINE_ARITH(fmod, fmodf(x, y), fmod_s(x, y), fmod_u(x, y))
DEFINE_ARITH(min, min_f(x, y), y < x ? y : x, y < x ? y : x)
DEFINE_ARITH(max, max_f(x, y), y > x ? y : x, y > x ? y : x)
DEFINE_BINARY(prelu_f32, float, float, float, x < 0 ? x * y : x)
DEFINE_BINARY(prelu_i64, int64_t, uint64_t, int64_t, x < 0 ? (T)((U)x * (U)y) : x)
DEFINE_BINARY(prelu_i32, int32_t, uint32_t, int32_t, x < 0 ? (T)((U)x * (U)y) : x)
DEFINE_BINARY(prelu_i8, int8_t, uint8_t, int8_t, x < 0 ? (T)(x * y) : x)

DEFINE_CMP(eq, x == y)
DEFINE_CMP(lt, x < y)
DEFINE_CMP(le, x <= y)
DEFINE_CMP(gt, x > y)
DEFINE_CMP(ge, x >= y)
DEFINE_BINARY(eq_bool, uint8_t, uint8_t, uint8_t, (x != 0) == (y != 0))
DEFINE_BINARY(and_bool, uint8_t, uint8_t, uint8_t, (x != 0) && (y != 0))
DEFINE_BINARY(or_bool, uint8_t, uint8_t, uint8_t, (x != 0) || (y != 0))
DEFINE_BINARY(xor_bool, uint8_t, uint8_t, uint8_t, (x != 0) != (y != 0))

enum { T_F32, T_I64, T_I32, T_U8, T_I8, T_BOOL, T_COUNT };

static int type_index(mobinfer_dtype dtype)
{
    switch (dtype) {
    case MOBINFER_DTYPE_FLOAT32: return T_F32;
    case MOBINFER_DTYPE_INT64: return T_I64;
    case MOBINFER_DTYPE_INT32: return T_I32;
    case MOBINFER_DTYPE_UINT8: return T_U8;
    case MOBINFER_DTYPE_INT8: return T_I8;
    case MOBINFER_DTYPE_BOOL: return T_BOOL;
    default: return -1;
    }
}

#define NUMERIC(NAME) {NAME##_f32, NAME##_i64, NAME##_i32, NAME##_u8, NAME##_i8, NULL}

static const binary_fn kernels[][T_COUNT] = {
    [MBI_BINOP_ADD] = NUMERIC(add),
    [MBI_BINOP_SUB] = NUMERIC(sub),
    [MBI_BINOP_MUL] = NUMERIC(mul),
    [MBI_BINOP_DIV] = NUMERIC(div),
    [MBI_BINOP_MOD] = NUMERIC(mod),
    [MBI_BINOP_FMOD] = NUMERIC(fmod),
    [MBI_BINOP_MIN] = NUMERIC(min),
    [MBI_BINOP_MAX] = NUMERIC(max),
    [MBI_BINOP_PRELU] = {prelu_f32, prelu_i64, prelu_i32, NULL, prelu_i8, NULL},
    [MBI_BINOP_EQUAL] = {eq_f32, eq_i64, eq_i32, eq_u8, eq_i8, eq_bool},
    [MBI_BINOP_LESS] = NUMERIC(lt),
    [MBI_BINOP_LESS_EQUAL] = NUMERIC(le),
    [MBI_BINOP_GREATER] = NUMERIC(gt),
    [MBI_BINOP_GREATER_EQUAL] = NUMERIC(ge),
    [MBI_BINOP_AND] = {[T_BOOL] = and_bool},
    [MBI_BINOP_OR] = {[T_BOOL] = or_bool},
    [MBI_BINOP_XOR] = {[T_BOOL] = xor_bool},
};

static binary_fn find(mbi_binop op, mobinfer_dtype dtype)
{
    int t = type_index(dtype);
    if (t < 0 || (unsigned)op >= sizeof kernels / sizeof kernels[0])
        return NULL;
    return kernels[op][t];
}

bool mbi_ref_binary_supported(mbi_binop op, mobinfer_dtype dtype)
{
    return find(op, dtype) != NULL;
}

void mbi_ref_binary(mbi_binop op, mobinfer_dtype dtype, const mbi_bcast *g, const void *a,
                    const void *b, void *out)
{
    binary_fn fn = find(op, dtype);
    if (fn)
        fn(g, a, b, out);
}

/* ---- Pow ------------------------------------------------------------- */

static bool is_int(mobinfer_dtype t)
{
    return t == MOBINFER_DTYPE_INT64 || t == MOBINFER_DTYPE_INT32 || t == MOBINFER_DTYPE_UINT8 ||
           t == MOBINFER_DTYPE_INT8;
}

bool mbi_ref_pow_supported(mobinfer_dtype base, mobinfer_dtype exponent)
{
    return (base == MOBINFER_DTYPE_FLOAT32 || is_int(base)) &&
           (exponent == MOBINFER_DTYPE_FLOAT32 || is_int(exponent));
}

static int64_t load_int(mobinfer_dtype t, const void *p, int64_t i)
{
    switch (t) {
    case MOBINFER_DTYPE_INT64: return ((const int64_t *)p)[i];
    case MOBINFER_DTYPE_INT32: return ((const int32_t *)p)[i];
    case MOBINFER_DTYPE_UINT8: return ((const uint8_t *)p)[i];
    case MOBINFER_DTYPE_INT8: return ((const int8_t *)p)[i];
    default: return 0;
    }
}

static double load_double(mobinfer_dtype t, const void *p, int64_t i)
{
    if (t == MOBINFER_DTYPE_FLOAT32)
        return ((const float *)p)[i];
    return (double)load_int(t, p, i);
}

static int64_t ipow(int64_t x, int64_t n)
{
    if (n < 0) /* 1 / x**|n| truncated: nonzero only for |x| == 1 */
        return x == 1 ? 1 : x == -1 ? ((n & 1) ? -1 : 1) : 0;
    uint64_t r = 1, b = (uint64_t)x;
    while (n) {
        if (n & 1)
            r *= b;
        b *= b;
        n >>= 1;
    }
    return (int64_t)r;
}

/* Float to int64 without undefined behaviour: truncates, saturates, NaN -> 0. */
static int64_t double_to_i64(double v)
{
    if (v != v)
        return 0;
    if (v >= 9223372036854775807.0)
        return INT64_MAX;
    if (v <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

static void store(mobinfer_dtype t, void *p, int64_t i, double fv, int64_t iv, bool use_int)
{
    if (t == MOBINFER_DTYPE_FLOAT32) {
        ((float *)p)[i] = (float)fv;
        return;
    }
    int64_t v = use_int ? iv : double_to_i64(fv);
    switch (t) {
    case MOBINFER_DTYPE_INT64: ((int64_t *)p)[i] = v; break;
    case MOBINFER_DTYPE_INT32: ((int32_t *)p)[i] = (int32_t)(uint32_t)(uint64_t)v; break;
    case MOBINFER_DTYPE_UINT8: ((uint8_t *)p)[i] = (uint8_t)(uint64_t)v; break;
    case MOBINFER_DTYPE_INT8: ((int8_t *)p)[i] = (int8_t)(uint8_t)(uint64_t)v; break;
    default: break;
    }
}

void mbi_ref_pow(const mbi_bcast *g, mobinfer_dtype a_dtype, const void *a,
                 mobinfer_dtype b_dtype, const void *b, void *out)
{
    if (g->numel == 0)
        return;
    const int last = g->rank - 1;
    const int64_t n = g->dims[last];
    const int64_t sa = g->strides[0][last], sb = g->strides[1][last];
    const bool both_int = is_int(a_dtype) && is_int(b_dtype);
    const bool both_float = a_dtype == MOBINFER_DTYPE_FLOAT32 && b_dtype == MOBINFER_DTYPE_FLOAT32;
    int64_t o = 0;
    mbi_bcast_iter it;
    mbi_bcast_iter_begin(g, &it);
    do {
        if (both_float) {
            const float *pa = (const float *)a + it.off[0], *pb = (const float *)b + it.off[1];
            float *po = (float *)out + o;
            for (int64_t i = 0; i < n; i++)
                po[i] = powf(pa[i * sa], pb[i * sb]);
        } else if (both_int) {
            for (int64_t i = 0; i < n; i++) {
                int64_t v = ipow(load_int(a_dtype, a, it.off[0] + i * sa),
                                 load_int(b_dtype, b, it.off[1] + i * sb));
                store(a_dtype, out, o + i, 0, v, true);
            }
        } else {
            for (int64_t i = 0; i < n; i++) {
                double v = pow(load_double(a_dtype, a, it.off[0] + i * sa),
                               load_double(b_dtype, b, it.off[1] + i * sb));
                store(a_dtype, out, o + i, v, 0, false);
            }
        }
        o += n;
    } while (mbi_bcast_iter_next(g, &it));
}

/* ---- Where ----------------------------------------------------------- */

#define DEFINE_WHERE(NAME, T)                                                              \
    static void NAME(const mbi_bcast *g, const uint8_t *c, const T *x, const T *y, T *out) \
    {                                                                                      \
        const int last = g->rank - 1;                                                      \
        const int64_t n = g->dims[last];                                                   \
        const int64_t sc = g->strides[0][last], sx = g->strides[1][last],                  \
                      sy = g->strides[2][last];                                            \
        mbi_bcast_iter it;                                                                 \
        mbi_bcast_iter_begin(g, &it);                                                      \
        do {                                                                               \
            const uint8_t *pc = c + it.off[0];                                             \
            const T *px = x + it.off[1], *py = y + it.off[2];                              \
            for (int64_t i = 0; i < n; i++)                                                \
                out[i] = pc[i * sc] ? px[i * sx] : py[i * sy];                             \
            out += n;                                                                      \
        } while (mbi_bcast_iter_next(g, &it));                                             \
    }

DEFINE_WHERE(where8, uint8_t)
DEFINE_WHERE(where16, uint16_t)
DEFINE_WHERE(where32, uint32_t)
DEFINE_WHERE(where64, uint64_t)

void mbi_ref_where(const mbi_bcast *g, size_t elem_size, const uint8_t *cond, const void *x,
                   const void *y, void *out)
{
    if (g->numel == 0)
        return;
    switch (elem_size) {
    case 1: where8(g, cond, x, y, out); break;
    case 2: where16(g, cond, x, y, out); break;
    case 4: where32(g, cond, x, y, out); break;
    case 8: where64(g, cond, x, y, out); break;
    default: break;
    }
}
