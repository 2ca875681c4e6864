#!/usr/bin/env python3
"""The polynomial behind log-sum-exp.wat's exp: e^r ≈ 1 + c1 r + … + c5 r^5 on [−ln2/2, ln2/2],
fitted by linear programming for the least maximum relative error under the constraint that the
mean relative error is zero (a sum of many terms then carries no bias), then rounded to float32
and checked with float32 Horner evaluation, both as the portable kernel rounds it (each multiply
and each add) and as the fused one does (one rounding per multiply-add: the exact product of two
float32 fits a float64). Run: python3 scripts/exp-polynomial.py
"""
import numpy as np
from scipy.optimize import linprog

DEGREE = 5
half = np.log(2) / 2
r = np.linspace(-half, half, 6001)
target = np.exp(r)
# relative error of 1 + Σ c_i r^i: (Σ c_i r^i)/e^r − (1 − 1/e^r)
A = np.stack([r**i / target for i in range(1, DEGREE + 1)], 1)
b = 1 - 1 / target
ones = np.ones((len(r), 1))
fit = linprog(
    np.r_[np.zeros(DEGREE), 1],  # minimise t, the bound on |relative error|
    A_ub=np.vstack([np.hstack([A, -ones]), np.hstack([-A, -ones])]),
    b_ub=np.concatenate([b, -b]),
    A_eq=np.hstack([A.sum(0), [0]])[None, :],  # zero mean error over the interval
    b_eq=[b.sum()],
    bounds=[(None, None)] * (DEGREE + 1),
    method="highs",
)
coefficients = np.float32(fit.x[:DEGREE])
print("c1..c5 (float32):", " ".join(f"{c:.9e}" for c in coefficients))

x = np.float32(np.random.default_rng(1).uniform(-half, half, 4_000_000))
exact = np.exp(x.astype(np.float64))


def horner(multiply_add):
    p = np.float32(coefficients[-1])
    for c in coefficients[-2::-1]:
        p = multiply_add(p, x, c)
    return multiply_add(p, x, np.float32(1))


separate = horner(lambda a, b, c: np.float32(np.float32(a * b) + c))
fused = horner(lambda a, b, c: np.float32(a.astype(np.float64) * b.astype(np.float64) + np.float64(c)))
for name, p in (("portable (multiply, then add)", separate), ("fused multiply-add", fused)):
    error = (p.astype(np.float64) - exact) / exact
    print(f"float32 Horner, {name}: max relative error {abs(error).max():.2e}, mean {error.mean():.1e}")
