#include "kernels/f32-vact/f32_epilogue.h"

/* Row by row, all steps on one row before the next, so a row is read from
 * L1 rather than the whole tile being streamed three times. */
static void one_row(mbi_f32_act_fn act, const mbi_epilogue *ep, float *c, size_t cols,
                    const float *residual)
{
    if (ep->act.kind != MBI_ACT_NONE)
        act(&ep->act, c, c, cols);
    if (ep->residual)
        for (size_t j = 0; j < cols; j++)
            c[j] += residual[j];
    if (ep->post.kind != MBI_ACT_NONE)
        act(&ep->post, c, c, cols);
}

void mbi_f32_epilogue_tile(mbi_f32_act_fn act, const mbi_epilogue *ep, float *c, size_t rows, size_t cols,
                           size_t ldc, const float *residual, size_t ldr)
{
    if (rows == 0 || cols == 0)
        return;
    /* A dense tile (and dense residual) is one long row, cut in pieces that
     * stay in L1: fewer calls and fewer partial-vector tails. */
    if (ldc == cols && (!ep->residual || ldr == cols)) {
        const size_t total = rows * cols, piece = 2048; /* 8 KiB of c, 8 of residual */
        for (size_t at = 0; at < total; at += piece)
            one_row(act, ep, c + at, total - at < piece ? total - at : piece,
                    ep->residual ? residual + at : NULL);
        return;
    }
    for (size_t r = 0; r < rows; r++)
        one_row(act, ep, c + r * ldc, cols, ep->residual ? residual + r * ldr : NULL);
}
