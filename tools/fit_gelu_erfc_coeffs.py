#!/usr/bin/env python3
"""Fits the constants MBI_GELU_ERFC_* of src/kernels/f32-vact/f32_vmath_coeffs.h.

GELU(x) = x Phi(x). With h = Phi(-|x|) = erfc(|x| / sqrt 2) / 2, the kernel
computes h = s exp(P(s) - x^2 / 2), s = 1 / (B0 + B1 |x|), which is c / (1 +
K |x| / sqrt 2) with c = 1 / B0 = exp(-SHIFT): c keeps P(s) near 0 (P would
otherwise lie in [-1.96, -0.69], and its rounding would dominate the error).
P is fitted to log(h) + x^2 / 2 - log(s) on |x| in [0, XMAX] with B0 and B1
rounded to float first, by iteratively reweighted least squares towards the
minimax error (which is the relative error of h). The coefficients are
rounded to float one at a time, highest degree first, the lower ones refitted
each time so they absorb the rounding.  Run: python3 tools/fit_gelu_erfc_coeffs.py
"""
import numpy as np
from scipy.special import erfcx

K = 0.5
SHIFT = 1.0
XMAX = 12.7  # MBI_GELU_ERFC_XMAX
DEG = 9
CENTER = 0.25  # P is a polynomial in s - CENTER, whose terms cancel less


def irls(v, f):
    w = np.ones_like(f)
    for _ in range(60):
        coef = np.linalg.lstsq(v * w[:, None], f * w, rcond=None)[0]
        r = np.abs(v @ coef - f)
        w = w * (r / r.max() + 1e-3) ** 0.5
        w /= w.max()
    return coef


def constants():
    c = np.exp(-SHIFT)
    return np.float32(1.0 / c), np.float32(K / np.sqrt(2.0) / c)


def target(x):
    b0, b1 = constants()
    s = 1.0 / (float(b0) + float(b1) * x)
    return s, np.log(0.5 * erfcx(x / np.sqrt(2.0))) - np.log(s)


def fit():
    x = np.concatenate([np.linspace(0.0, 6.0, 120001), np.linspace(6.0, XMAX, 40001)])
    x = x.astype(np.float32).astype(np.float64)
    s, f = target(x)
    v = np.vander(s - CENTER, DEG + 1, increasing=True)
    fixed = []
    for top in range(DEG, -1, -1):
        rest = f - (v[:, top + 1:] @ np.array(fixed[::-1]) if fixed else 0.0)
        coef = irls(v[:, : top + 1], rest)
        fixed.append(float(np.float32(coef[top])))
    return x, np.array(fixed[::-1])


def float_error(x, coef):
    """Relative error of h with s and P evaluated in float."""
    b0, b1 = constants()
    s32 = (np.float32(1.0) / (b1 * x.astype(np.float32) + b0)).astype(np.float32)
    cf = coef.astype(np.float32)
    u = (s32 - np.float32(CENTER)).astype(np.float32)
    p = np.full_like(s32, cf[-1])
    for c in cf[-2::-1]:
        p = (p * u + c).astype(np.float32)
    got = np.log(s32.astype(np.float64)) + p.astype(np.float64)
    s, f = target(x)
    return np.abs(np.expm1(got - (f + np.log(s)))).max()


def main():
    x, coef = fit()
    b0, b1 = constants()
    print("/* relative error of h, float arithmetic (exp exact): %.2e */" % float_error(x, coef))
    print("#define MBI_GELU_ERFC_B0 %.9ef" % b0)
    print("#define MBI_GELU_ERFC_B1 %.9ef" % b1)
    print("#define MBI_GELU_ERFC_CENTER %.9ef" % CENTER)
    for i, c in enumerate(coef):
        s = "%.9ef" % np.float32(c)
        print("#define MBI_GELU_ERFC_P%d %s" % (i, s if c >= 0 else "(" + s + ")"))


if __name__ == "__main__":
    main()
