#include "opt/passes.h"

mobinfer_status mbi_opt_run_passes(mbi_opt_graph *og, const mbi_kernels *kernels)
{
    (void)kernels;
    mobinfer_status st;
    /* Folding first, so that reparameterization sees plain convolutions with
     * biases, and the layout pass sees the final convolutions. BatchNorm folds
     * again after reparameterization: RepViT's token mixer normalizes the sum
     * of its branches (BN(conv(x) + conv1(x) + x)), one convolution only once
     * they are merged. */
    if ((st = mbi_opt_remove_identity(og)) || (st = mbi_opt_strength_reduce(og)) ||
        (st = mbi_opt_fuse_layer_norm(og)) || (st = mbi_opt_fuse_gelu(og)) ||
        (st = mbi_opt_fold_batchnorm(og)) ||
        (st = mbi_opt_fold_pad(og)) ||
        (st = mbi_opt_fold_input_affine(og)) || (st = mbi_opt_reparameterize(og)) ||
        (st = mbi_opt_fold_batchnorm(og)) ||
        (st = mbi_opt_trim_padding_taps(og)) ||
        (st = mbi_opt_layout_nhwc(og)) || (st = mbi_opt_dense_from_matmul(og)) ||
        (st = mbi_opt_fold_dense_affine(og)) ||
        (st = mbi_opt_fuse_epilogue(og)) || (st = mbi_opt_fuse_squeeze_excite(og)) ||
        (st = mbi_opt_cancel_reshapes(og)))
        return st;
    if ((st = mbi_opt_stem_nchw_input(og)))
        return st;
    if ((st = mbi_opt_concat_in_place(og)))
        return st;
    if ((st = mbi_opt_fuse_mbconv(og)))
        return st;
    return MOBINFER_OK;
}
