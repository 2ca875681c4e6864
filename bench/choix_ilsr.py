"""choix's I-LSR for pairwise comparisons, re-implemented for a same-run baseline.

choix (https://github.com/lucasmaystre/choix) cannot be installed on the benchmark machines, so
this file re-implements ``choix.ilsr_pairwise(n_items, data, tol=...)`` as choix computes it, from
the source at commit 7494ad31fde2f688196dc190d55673d930456366:

- ``choix/lsr.py``: ``_init_lsr``, ``lsr_pairwise`` (one pass over the comparisons in Python,
  ``chain[loser, winner] += 1 / (w[winner] + w[loser])``, then the generator's diagonal),
  ``ilsr_pairwise`` / ``_ilsr`` (repeat LSR from the previous estimate, at most ``max_iter`` times);
- ``choix/utils.py``: ``statdist`` (``scipy.linalg.lu_factor`` of the generator's transpose, then
  ``scipy.linalg.solve_triangular`` on the leading block of U), ``log_transform``, ``exp_transform``;
- ``choix/convergence.py``: ``NormOfDifferenceTest`` (L1 norm of the difference of successive centred
  iterates at most ``tol * n_items``).

The algorithm, the order of its floating-point work and the linear-algebra calls are the same; the
code is written anew. The regularisation ``alpha`` is 0 (choix's default), as in the benchmark.

Usage (as bench/fit.mjs calls it): ``python3 bench/choix_ilsr.py < input.json``, where the input is
``{"nItems": n, "comparisons": [[winner, loser], ...], "tol": 1e-12, "repeats": r}``; it prints
``{"estimate": [...], "seconds": [...], "cpuSeconds": [...]}``: the centred log-strengths, and the wall time
and the process's CPU time (all its threads, BLAS's included) of each of ``r`` fits (the data are read before
the clocks start).
"""

import json
import sys
import time
import warnings

import numpy as np
import scipy.linalg as spl


def centred_log(weights):
    """choix.utils.log_transform: log-weights centred to mean zero."""
    logs = np.log(weights)
    return logs - logs.mean()


def normalised_exp(params):
    """choix.utils.exp_transform: weights from log-parameters, scaled to sum to the item count."""
    params = np.asarray(params)
    weights = np.exp(params - np.mean(params))
    return (len(weights) / weights.sum()) * weights


def stationary_distribution(generator):
    """choix.utils.statdist: the (unnormalised, summing to n) stationary distribution of a chain."""
    generator = np.asarray(generator)
    n = generator.shape[0]
    with warnings.catch_warnings():
        # the generator is singular by construction; LU warns about it
        warnings.filterwarnings("ignore")
        lu, _ = spl.lu_factor(generator.T, check_finite=False)
    # the last row of U is zero: solve the leading block against minus its last column
    solution = spl.solve_triangular(lu[:-1, :-1], -lu[:-1, -1], check_finite=False)
    solution = np.append(solution, 1.0)
    return (n / solution.sum()) * solution


def lsr_step(n_items, comparisons, params):
    """choix.lsr.lsr_pairwise with alpha = 0: one Luce spectral ranking from the current weights."""
    weights = np.ones(n_items) if params is None else normalised_exp(params)
    chain = np.zeros((n_items, n_items), dtype=float)
    for winner, loser in comparisons:
        chain[loser, winner] += 1 / (weights[winner] + weights[loser])
    chain -= np.diag(chain.sum(axis=1))
    return centred_log(stationary_distribution(chain))


def ilsr_pairwise(n_items, comparisons, tol=1e-8, max_iter=100):
    """choix.lsr.ilsr_pairwise: LSR iterated to its fixed point, the maximum-likelihood estimate."""
    previous = None
    params = None
    for _ in range(max_iter):
        params = lsr_step(n_items, comparisons, params)
        centred = params - np.mean(params)
        if previous is not None and np.linalg.norm(previous - centred, ord=1) <= tol * len(centred):
            return params
        previous = centred
    raise RuntimeError(f"Did not converge after {max_iter} iterations")


def main():
    request = json.load(sys.stdin)
    n_items = request["nItems"]
    # choix's data are a list of [winner, loser] lists of Python ints
    comparisons = [[int(w), int(l)] for w, l in request["comparisons"]]
    tol = request.get("tol", 1e-12)
    seconds = []
    cpu_seconds = []
    estimate = None
    for _ in range(request.get("repeats", 1)):
        start = time.perf_counter()
        cpu_start = time.process_time()
        estimate = ilsr_pairwise(n_items, comparisons, tol=tol)
        cpu_seconds.append(time.process_time() - cpu_start)
        seconds.append(time.perf_counter() - start)
    json.dump({"estimate": estimate.tolist(), "seconds": seconds, "cpuSeconds": cpu_seconds}, sys.stdout)


if __name__ == "__main__":
    main()
