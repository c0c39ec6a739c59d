/* The optimization passes, one per file, and the order they run in. */
#ifndef MBI_OPT_PASSES_H
#define MBI_OPT_PASSES_H

#include "dispatch/kernels.h"
#include "opt/opt_graph.h"

/* Runs every pass in order (see passes.c for the order and why). */
mobinfer_status mbi_opt_run_passes(mbi_opt_graph *og, const mbi_kernels *kernels);

/* Identity and Dropout (inference mode) disappear. */
mobinfer_status mbi_opt_remove_identity(mbi_opt_graph *og);
/* Pow by 2 or 0.5 becomes Mul or Sqrt. */
mobinfer_status mbi_opt_strength_reduce(mbi_opt_graph *og);
/* Decomposed LayerNorm (ReduceMean, Sub, square, ..., Div, Mul, Add)
 * becomes LayerNormalization. */
mobinfer_status mbi_opt_fuse_layer_norm(mbi_opt_graph *og);
/* GELU in its exported erf form (v * (erf(v / sqrt 2) + 1) / 2, the half
 * anywhere) becomes one Gelu node. */
mobinfer_status mbi_opt_fuse_gelu(mbi_opt_graph *og);
/* BatchNormalization, and Mul/Add by per-channel constants, after a Conv
 * with constant weights fold into the weights and bias. */
mobinfer_status mbi_opt_fold_batchnorm(mbi_opt_graph *og);
/* A zero Pad of H and W before a convolution becomes its padding. */
mobinfer_status mbi_opt_fold_pad(mbi_opt_graph *og);
/* A per-channel Mul/Add before an unpadded convolution folds into it. */
mobinfer_status mbi_opt_fold_input_affine(mbi_opt_graph *og);
/* Parallel convolution branches reading one tensor and summed merge into
 * one convolution (RepVGG, MobileOne, RepViT, FastViT train-time blocks). */
mobinfer_status mbi_opt_reparameterize(mbi_opt_graph *og);
/* Kernel rows/columns of a convolution that read only padding for every
 * output position go (DeepLabV3's dilated 3x3s on small maps become 1x1). */
mobinfer_status mbi_opt_trim_padding_taps(mbi_opt_graph *og);
/* Convolutions move to channels-last (NHWC) kernels; the layout spreads to
 * the operators around them and is converted back only where needed. */
mobinfer_status mbi_opt_layout_nhwc(mbi_opt_graph *og);
/* MatMul and Gemm with constant weights become Dense, with packed weights
 * and a fused bias. */
mobinfer_status mbi_opt_dense_from_matmul(mbi_opt_graph *og);
/* BatchNormalization over a Dense's columns, and Mul/Add by a constant row,
 * fold into its weights and bias (also through reshapes that keep the last
 * axis: LeViT's Linear + BatchNorm1d). */
mobinfer_status mbi_opt_fold_dense_affine(mbi_opt_graph *og);
/* Activations and residual Adds after a convolution join its epilogue. */
mobinfer_status mbi_opt_fuse_epilogue(mbi_opt_graph *og);

/* Squeeze-and-excitation blocks (global mean, two 1x1 convolutions, gate,
 * Mul) become one SqueezeExcite node. */
mobinfer_status mbi_opt_fuse_squeeze_excite(mbi_opt_graph *og);

/* Transpose pairs compose (or cancel), Reshape chains collapse. */
mobinfer_status mbi_opt_cancel_reshapes(mbi_opt_graph *og);

/* A network's first convolution (few input channels) reads the NCHW image
 * itself instead of a Transpose of it (ConvStemNhwc). */
mobinfer_status mbi_opt_stem_nchw_input(mbi_opt_graph *og);

/* A channel Concat of convolutions becomes convolutions writing their slices
 * of its output (after fuse_epilogue: the epilogues are final). */
mobinfer_status mbi_opt_concat_in_place(mbi_opt_graph *og);

/* Large inverted-residual blocks (1x1 expand, depthwise, 1x1 project, or
 * two of them) become one MBConvNhwc node. */
mobinfer_status mbi_opt_fuse_mbconv(mbi_opt_graph *og);

#endif
