#include "ops/op.h"

extern const mbi_op_def mbi_op_Concat;
extern const mbi_op_def mbi_op_Constant;
extern const mbi_op_def mbi_op_ConstantOfShape;
extern const mbi_op_def mbi_op_CumSum;
extern const mbi_op_def mbi_op_DepthToSpace;
extern const mbi_op_def mbi_op_Expand;
extern const mbi_op_def mbi_op_Flatten;
extern const mbi_op_def mbi_op_Gather;
extern const mbi_op_def mbi_op_GatherElements;
extern const mbi_op_def mbi_op_GatherND;
extern const mbi_op_def mbi_op_NonZero;
extern const mbi_op_def mbi_op_OneHot;
extern const mbi_op_def mbi_op_Pad;
extern const mbi_op_def mbi_op_Range;
extern const mbi_op_def mbi_op_Reshape;
extern const mbi_op_def mbi_op_Resize;
extern const mbi_op_def mbi_op_ScatterND;
extern const mbi_op_def mbi_op_Shape;
extern const mbi_op_def mbi_op_Size;
extern const mbi_op_def mbi_op_Slice;
extern const mbi_op_def mbi_op_SpaceToDepth;
extern const mbi_op_def mbi_op_Split;
extern const mbi_op_def mbi_op_Squeeze;
extern const mbi_op_def mbi_op_Tile;
extern const mbi_op_def mbi_op_TopK;
extern const mbi_op_def mbi_op_Transpose;
extern const mbi_op_def mbi_op_Trilu;
extern const mbi_op_def mbi_op_Unsqueeze;
extern const mbi_op_def mbi_op_Upsample;

/* Operators of the tensor family. Keep the list sorted by op_type. */
const mbi_op_def *const mbi_op_table_tensor[] = {
    &mbi_op_Concat,
    &mbi_op_Constant,
    &mbi_op_ConstantOfShape,
    &mbi_op_CumSum,
    &mbi_op_DepthToSpace,
    &mbi_op_Expand,
    &mbi_op_Flatten,
    &mbi_op_Gather,
    &mbi_op_GatherElements,
    &mbi_op_GatherND,
    &mbi_op_NonZero,
    &mbi_op_OneHot,
    &mbi_op_Pad,
    &mbi_op_Range,
    &mbi_op_Reshape,
    &mbi_op_Resize,
    &mbi_op_ScatterND,
    &mbi_op_Shape,
    &mbi_op_Size,
    &mbi_op_Slice,
    &mbi_op_SpaceToDepth,
    &mbi_op_Split,
    &mbi_op_Squeeze,
    &mbi_op_Tile,
    &mbi_op_TopK,
    &mbi_op_Transpose,
    &mbi_op_Trilu,
    &mbi_op_Unsqueeze,
    &mbi_op_Upsample,
    NULL,
};
