#include "ops/nn_ops.h"
#include "ops/op.h"

/* Operators of the nn family. Keep the list sorted by op_type. */
const mbi_op_def *const mbi_op_table_nn[] = {
    &mbi_op_AveragePool,
    &mbi_op_BatchNormalization,
    &mbi_op_Conv,
    &mbi_op_ConvNhwc,
    &mbi_op_ConvStemNhwc,
    &mbi_op_Dense,
    &mbi_op_SqueezeExcite,
    &mbi_op_SqueezeExciteProject,
    &mbi_op_MBConvNhwc,
    &mbi_op_ConvTransposeNhwc,
    &mbi_op_MaxPoolNhwc,
    &mbi_op_AveragePoolNhwc,
    &mbi_op_GlobalAveragePoolNhwc,
    &mbi_op_ConvTranspose,
    &mbi_op_Gemm,
    &mbi_op_GlobalAveragePool,
    &mbi_op_GlobalLpPool,
    &mbi_op_GlobalMaxPool,
    &mbi_op_InstanceNormalization,
    &mbi_op_LayerNormalization,
    &mbi_op_LogSoftmax,
    &mbi_op_LpNormalization,
    &mbi_op_LpPool,
    &mbi_op_LRN,
    &mbi_op_MatMul,
    &mbi_op_MaxPool,
    &mbi_op_Softmax,
    NULL,
};
