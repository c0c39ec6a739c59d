/* Operator definitions of the math family, registered in table_math.c. */
#ifndef MBI_OPS_MATH_OPS_H
#define MBI_OPS_MATH_OPS_H

#include "ops/op.h"

extern const mbi_op_def mbi_op_Abs;
extern const mbi_op_def mbi_op_Acos;
extern const mbi_op_def mbi_op_Acosh;
extern const mbi_op_def mbi_op_Add;
extern const mbi_op_def mbi_op_And;
extern const mbi_op_def mbi_op_ArgMax;
extern const mbi_op_def mbi_op_ArgMin;
extern const mbi_op_def mbi_op_Asin;
extern const mbi_op_def mbi_op_Asinh;
extern const mbi_op_def mbi_op_Atan;
extern const mbi_op_def mbi_op_Atanh;
extern const mbi_op_def mbi_op_Cast;
extern const mbi_op_def mbi_op_CastLike;
extern const mbi_op_def mbi_op_Ceil;
extern const mbi_op_def mbi_op_Celu;
extern const mbi_op_def mbi_op_Clip;
extern const mbi_op_def mbi_op_Cos;
extern const mbi_op_def mbi_op_Cosh;
extern const mbi_op_def mbi_op_Div;
extern const mbi_op_def mbi_op_Dropout;
extern const mbi_op_def mbi_op_Elu;
extern const mbi_op_def mbi_op_Equal;
extern const mbi_op_def mbi_op_Erf;
extern const mbi_op_def mbi_op_Exp;
extern const mbi_op_def mbi_op_Floor;
extern const mbi_op_def mbi_op_Gelu;
extern const mbi_op_def mbi_op_Greater;
extern const mbi_op_def mbi_op_GreaterOrEqual;
extern const mbi_op_def mbi_op_HardSigmoid;
extern const mbi_op_def mbi_op_HardSwish;
extern const mbi_op_def mbi_op_Identity;
extern const mbi_op_def mbi_op_LeakyRelu;
extern const mbi_op_def mbi_op_Less;
extern const mbi_op_def mbi_op_LessOrEqual;
extern const mbi_op_def mbi_op_Log;
extern const mbi_op_def mbi_op_Max;
extern const mbi_op_def mbi_op_Mean;
extern const mbi_op_def mbi_op_Min;
extern const mbi_op_def mbi_op_Mish;
extern const mbi_op_def mbi_op_Mod;
extern const mbi_op_def mbi_op_Mul;
extern const mbi_op_def mbi_op_Neg;
extern const mbi_op_def mbi_op_Not;
extern const mbi_op_def mbi_op_Or;
extern const mbi_op_def mbi_op_PRelu;
extern const mbi_op_def mbi_op_Pow;
extern const mbi_op_def mbi_op_Reciprocal;
extern const mbi_op_def mbi_op_ReduceL1;
extern const mbi_op_def mbi_op_ReduceL2;
extern const mbi_op_def mbi_op_ReduceLogSum;
extern const mbi_op_def mbi_op_ReduceLogSumExp;
extern const mbi_op_def mbi_op_ReduceMax;
extern const mbi_op_def mbi_op_ReduceMean;
extern const mbi_op_def mbi_op_ReduceMin;
extern const mbi_op_def mbi_op_ReduceProd;
extern const mbi_op_def mbi_op_ReduceSum;
extern const mbi_op_def mbi_op_ReduceSumSquare;
extern const mbi_op_def mbi_op_Relu;
extern const mbi_op_def mbi_op_Round;
extern const mbi_op_def mbi_op_Selu;
extern const mbi_op_def mbi_op_Sigmoid;
extern const mbi_op_def mbi_op_Sign;
extern const mbi_op_def mbi_op_Sin;
extern const mbi_op_def mbi_op_Sinh;
extern const mbi_op_def mbi_op_Softplus;
extern const mbi_op_def mbi_op_Softsign;
extern const mbi_op_def mbi_op_Sqrt;
extern const mbi_op_def mbi_op_Sub;
extern const mbi_op_def mbi_op_Sum;
extern const mbi_op_def mbi_op_Tan;
extern const mbi_op_def mbi_op_Tanh;
extern const mbi_op_def mbi_op_ThresholdedRelu;
extern const mbi_op_def mbi_op_Where;
extern const mbi_op_def mbi_op_Xor;

#endif
