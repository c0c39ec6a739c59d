/* Constants of the float32 exp, tanh and erf approximations shared by every
 * variant of the f32-vact family, so scalar and SIMD compute the same thing.
 *
 * The polynomials were fitted for this project (iteratively reweighted least
 * squares towards a minimax fit, against 40-digit references, then rounded to
 * float); their worst errors in float arithmetic are measured by
 * tests/kernels/f32_vact.c and listed in docs/OPERATORS.md.
 *
 * exp(x):  n = round(x / ln2), r = x - n ln2 (ln2 split in two so n*LN2_HI is
 *          exact), exp(r) = 1 + r + r^2 q(r) on |r| <= ln2/2, times 2^n.
 *          2^n is applied as two factors so gradual underflow and overflow
 *          come out right.
 * tanh(x): |x| < 0.625: x + x^3 q(x^2) (1 - 2/(e^2x + 1) cancels there);
 *          otherwise 1 - 2/(e^(2|x|) + 1), with |x| capped at 9.1 where tanh
 *          is 1 in float.
 * erf(x):  |x| < 0.921875: x q(x^2); otherwise 1 - erfc(|x|) with
 *          erfc(z) = exp(-z^2 + s(z - 2.4609375)), s fitted to
 *          log(erfc(z)) + z^2 on [0.921875, 4] (z capped at 4 inside s; erf
 *          is 1 in float from z = 3.92). */
#ifndef MBI_KERNELS_F32_VMATH_COEFFS_H
#define MBI_KERNELS_F32_VMATH_COEFFS_H

#define MBI_EXP_LO (-104.0f) /* exp rounds to 0 below (and NaN stays NaN) */
#define MBI_EXP_HI 88.8f     /* exp is inf above */
#define MBI_LOG2E 1.44269504088896341f
#define MBI_LN2_HI 0.693359375f
#define MBI_LN2_LO (-2.12194440e-4f)
#define MBI_EXP_Q0 5.000000000e-01f
#define MBI_EXP_Q1 1.666651964e-01f
#define MBI_EXP_Q2 4.166620597e-02f
#define MBI_EXP_Q3 8.368882351e-03f
#define MBI_EXP_Q4 1.395047875e-03f

#define MBI_TANH_SMALL 0.625f
#define MBI_TANH_SAT 9.1f
#define MBI_TANH_Q0 (-3.333328068e-01f)
#define MBI_TANH_Q1 1.333144158e-01f
#define MBI_TANH_Q2 (-5.373971537e-02f)
#define MBI_TANH_Q3 2.063908614e-02f
#define MBI_TANH_Q4 (-5.704985000e-03f)

#define MBI_ERF_SMALL 0.921875f
#define MBI_ERF_Q0 1.128379226e+00f
#define MBI_ERF_Q1 (-3.761263490e-01f)
#define MBI_ERF_Q2 1.128369570e-01f
#define MBI_ERF_Q3 (-2.685939893e-02f)
#define MBI_ERF_Q4 5.201031920e-03f
#define MBI_ERF_Q5 (-8.142701117e-04f)
#define MBI_ERF_Q6 8.370087744e-05f

#define MBI_ERFC_CENTER 2.4609375f
#define MBI_ERFC_ZMAX 4.0f
#define MBI_ERFC_S0 (-1.542952418e+00f)
#define MBI_ERFC_S1 (-3.571142256e-01f)
#define MBI_ERFC_S2 5.739894509e-02f
#define MBI_ERFC_S3 (-1.120329555e-02f)
#define MBI_ERFC_S4 2.248954494e-03f
#define MBI_ERFC_S5 (-4.387465597e-04f)
#define MBI_ERFC_S6 8.115232049e-05f
#define MBI_ERFC_S7 (-1.380555477e-05f)
#define MBI_ERFC_S8 1.602485213e-06f

/* GELU(x) = x Phi(x) with h = Phi(-|x|) = erfc(|x| / sqrt 2) / 2 from one
 * formula for every x: h = s exp(P(s - CENTER) - x^2 / 2), s = 1 / (B0 + B1 |x|)
 * (a scaled 1 / (1 + |x| / (2 sqrt 2))), P fitted by
 * tools/fit_gelu_erfc_coeffs.py on |x| <= MBI_GELU_ERFC_XMAX; Phi = 1 - h for
 * x > 0. No second polynomial for small |x| and no per-lane select (a vector
 * entirely within |x| < 1.3 takes the erf polynomial instead, which is cheaper). */
#define MBI_GELU_ERFC_B0 2.718281746e+00f
#define MBI_GELU_ERFC_B1 9.610577822e-01f
#define MBI_GELU_ERFC_CENTER 2.500000000e-01f
#define MBI_GELU_ERFC_P0 (-1.195429862e-01f)
#define MBI_GELU_ERFC_P1 3.737292528e+00f
#define MBI_GELU_ERFC_P2 (-1.946148276e-01f)
#define MBI_GELU_ERFC_P3 (-7.935648441e+00f)
#define MBI_GELU_ERFC_P4 5.112284184e+00f
#define MBI_GELU_ERFC_P5 3.384317780e+01f
#define MBI_GELU_ERFC_P6 (-7.059201050e+01f)
#define MBI_GELU_ERFC_P7 (-1.457028503e+02f)
#define MBI_GELU_ERFC_P8 5.910513916e+02f
#define MBI_GELU_ERFC_P9 1.079303345e+03f

/* exp(z) for |z| <= MBI_EXPT_XMAX, as sigmoid, SiLU and GELU-tanh need it
 * (f32_vact_simd.h, vf_exp_neg): n = round(z L / ln2) for a table of L =
 * 16 (AVX-512) or 8 (AVX2) entries, r = z - n ln2 / L (split in two so
 * n * HI is exact for |n| < 2^12), exp(r) = 1 + r + r^2 (C2 + C3 r) on
 * |r| <= ln2 / (2L), times 2^(n/L) built from the table entry of n mod L and
 * the integer n div L added to its exponent. The table holds the bits of
 * 2^(j/L) minus j shifted to where n's low bits land (see vf_exp2_lut), so
 * one integer add places both parts. 2^(n/L) is then a normal float, and
 * so is the sigmoid's 1 / (1 + exp(z)); outside, the callers take the
 * general vf_exp. */
#define MBI_EXPT_MAGIC 12582912.0f /* 1.5 * 2^23: adding it rounds to an integer */
#define MBI_EXPT_XMAX 87.0f
#define MBI_EXPT16_SCALE 2.308312035e+01f
#define MBI_EXPT16_LN2_HI 0.0433197021484375f
#define MBI_EXPT16_LN2_LO 1.996636456e-06f
#define MBI_EXPT16_C2 5.000168085e-01f
#define MBI_EXPT16_C3 1.666672379e-01f
#define MBI_EXPT16_TABLE                                                                           \
    0x3F800000, 0x3F7DAAC3, 0x3F7B95C2, 0x3F79C3D3, 0x3F7837F0, 0x3F76F532, 0x3F75FED7,            \
        0x3F75583F, 0x3F7504F3, 0x3F7508A4, 0x3F75672A, 0x3F76248C, 0x3F7744FD, 0x3F78CCDF,        \
        0x3F7AC0C7, 0x3F7D257D
#define MBI_EXPT8_SCALE 1.154156017e+01f
#define MBI_EXPT8_LN2_HI 0.086639404296875f
#define MBI_EXPT8_LN2_LO 3.993272912e-06f
#define MBI_EXPT8_C2 5.000670552e-01f
#define MBI_EXPT8_C3 1.666686535e-01f
#define MBI_EXPT8_TABLE                                                                            \
    0x3F800000, 0x3F7B95C2, 0x3F7837F0, 0x3F75FED7, 0x3F7504F3, 0x3F75672A, 0x3F7744FD, 0x3F7AC0C7

/* GELU: inputs below this give -0 (the true value is below 1e-80), which
 * also keeps -inf from producing -inf * 0 = NaN. */
#define MBI_GELU_XMIN (-20.0f)
/* GELU's erfc argument |x| / sqrt(2) is capped at 12.7 / sqrt(2) ~ 8.98,
 * where erfc ~ 4e-37 is still a normal float. */
#define MBI_GELU_ERFC_XMAX 12.7f
/* SiLU: likewise; sigmoid is exactly 0 in float below -104. */
#define MBI_SILU_XMIN (-200.0f)
#define MBI_SQRT1_2 0.707106781186547524f
/* -2 sqrt(2/pi), for x / (1 + exp(-2 sqrt(2/pi) (x + 0.044715 x^3))). */
#define MBI_GELU_TANH_K (-1.59576912160573071f)
#define MBI_GELU_TANH_C 0.044715f

#endif
