/* Operator definitions of the nn family (registered in table_nn.c). */
#ifndef MBI_OPS_NN_OPS_H
#define MBI_OPS_NN_OPS_H

#include "ops/op.h"

extern const mbi_op_def mbi_op_AveragePool;        /* pool.c */
extern const mbi_op_def mbi_op_BatchNormalization; /* normalization.c */
extern const mbi_op_def mbi_op_Conv;               /* conv.c */
extern const mbi_op_def mbi_op_ConvNhwc;           /* conv_nhwc.c */
extern const mbi_op_def mbi_op_ConvStemNhwc;       /* conv_stem_nhwc.c */
extern const mbi_op_def mbi_op_Dense;              /* dense.c */
extern const mbi_op_def mbi_op_SqueezeExcite;      /* squeeze_excite.c */
extern const mbi_op_def mbi_op_SqueezeExciteProject; /* squeeze_excite_project.c */
extern const mbi_op_def mbi_op_MBConvNhwc;         /* mbconv_nhwc.c */
extern const mbi_op_def mbi_op_ConvTransposeNhwc;  /* conv_transpose_nhwc.c */
extern const mbi_op_def mbi_op_MaxPoolNhwc;        /* pool_nhwc.c */
extern const mbi_op_def mbi_op_AveragePoolNhwc;    /* pool_nhwc.c */
extern const mbi_op_def mbi_op_GlobalAveragePoolNhwc; /* pool_nhwc.c */
extern const mbi_op_def mbi_op_ConvTranspose;      /* conv.c */
extern const mbi_op_def mbi_op_Gemm;               /* matmul.c */
extern const mbi_op_def mbi_op_GlobalAveragePool;  /* pool.c */
extern const mbi_op_def mbi_op_GlobalLpPool;       /* pool.c */
extern const mbi_op_def mbi_op_GlobalMaxPool;      /* pool.c */
extern const mbi_op_def mbi_op_InstanceNormalization; /* normalization.c */
extern const mbi_op_def mbi_op_LayerNormalization; /* normalization.c */
extern const mbi_op_def mbi_op_LogSoftmax;         /* softmax.c */
extern const mbi_op_def mbi_op_LpNormalization;    /* normalization.c */
extern const mbi_op_def mbi_op_LpPool;             /* pool.c */
extern const mbi_op_def mbi_op_LRN;                /* normalization.c */
extern const mbi_op_def mbi_op_MatMul;             /* matmul.c */
extern const mbi_op_def mbi_op_MaxPool;            /* pool.c */
extern const mbi_op_def mbi_op_Softmax;            /* softmax.c */

#endif
