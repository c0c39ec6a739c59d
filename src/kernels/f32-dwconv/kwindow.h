/* Sliding-window bounds shared by the depthwise convolution and pooling
 * kernels (one spatial axis at a time). Window o starts at input position
 * base = o*stride - pad and its tap k reads base + k*dil; the helpers say
 * which taps land inside the input, so kernels can split a row into border
 * pixels (checked per tap) and an interior that needs no checks at all. */
#ifndef MBI_KERNELS_KWINDOW_H
#define MBI_KERNELS_KWINDOW_H

#include <stddef.h>

static inline ptrdiff_t mbi_kwin_base(size_t o, size_t stride, size_t pad)
{
    return (ptrdiff_t)(o * stride) - (ptrdiff_t)pad;
}

/* The taps of a window starting at base that read inside [0, bound): [*k0, *k1), possibly empty. */
static inline void mbi_kwin_taps(ptrdiff_t base, size_t dil, size_t k, size_t bound, size_t *k0,
                                 size_t *k1)
{
    const ptrdiff_t d = (ptrdiff_t)dil;
    size_t lo = base >= 0 ? 0 : (size_t)((-base + d - 1) / d);
    const ptrdiff_t last = (ptrdiff_t)bound - 1 - base;
    size_t hi = last < 0 ? 0 : (size_t)(last / d) + 1;
    if (hi > k)
        hi = k;
    if (lo > hi)
        lo = hi;
    *k0 = lo;
    *k1 = hi;
}

/* The windows o in [0, out) whose k >= 1 taps all read inside [0, bound): [*lo, *hi), possibly empty
 * (then *lo == *hi, and the windows before and after it are all border windows). */
static inline void mbi_kwin_interior(size_t out, size_t stride, size_t pad, size_t dil, size_t k,
                                     size_t bound, size_t *lo, size_t *hi)
{
    size_t l = (pad + stride - 1) / stride;
    const ptrdiff_t room = (ptrdiff_t)bound - 1 - (ptrdiff_t)((k - 1) * dil) + (ptrdiff_t)pad;
    size_t h = room < 0 ? 0 : (size_t)room / stride + 1;
    if (l > out)
        l = out;
    if (h > out)
        h = out;
    if (h < l)
        h = l;
    *lo = l;
    *hi = h;
}

#endif
