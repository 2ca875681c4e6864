import { LuceError } from "../errors.js";
import { impliedRewardRow, projectRewardRow } from "./kernels.js";
import { readProblem } from "./optimal-policy.js";
import { isLogSpace, readBeta, readPolicy, type Policy, type Rows } from "./rows.js";

/**
 * The implied reward β log π(y|x)/π_ref(y|x): eq. 5 without its β log Z(x) term, which
 * depends on x alone (Definition 1), so it names the same reward class.
 *
 * Where π(y|x) = 0 and π_ref(y|x) > 0 the implied reward is −Infinity. Where π_ref(y|x) = 0 it
 * is undefined (the first assumption of Theorem 1), and that is an error.
 * Error: EPS·β(|log π| + |log π_ref|) absolute.
 *
 * @param policy - π, as probabilities or {@link logSpace}
 * @param reference - π_ref, same shape
 * @param beta - β > 0
 * @returns β log π/π_ref per prompt
 * @throws {@link LuceError} naming `reference[x][y]` where π_ref has no mass; for rows that are
 *   not distributions, shape mismatches, β ≤ 0 or not finite, or a β so large that β log π/π_ref
 *   is beyond the float64 range
 * @example
 * ```ts
 * impliedReward([[0.75, 0.25]], [[0.5, 0.5]], 2); // [[2 log 1.5, 2 log 0.5]]
 * ```
 */
export function impliedReward(policy: Policy, reference: Policy, beta: number): Float64Array[] {
  const fn = "impliedReward";
  const logPi = readPolicy(fn, "policy", policy);
  const logRef = readPolicy(fn, "reference", reference, { rows: logPi, name: "policy" });
  const b = readBeta(fn, beta);
  return logPi.map((row, x) => {
    const zero = logRef[x].indexOf(-Infinity);
    if (zero >= 0) {
      const at = `${isLogSpace(reference) ? "reference.log" : "reference"}[${x}][${zero}]`;
      throw new LuceError(fn, at, "is 0: the implied reward β log π/π_ref is undefined where π_ref has no mass");
    }
    const implied = impliedRewardRow(row, logRef[x], b);
    const y = implied.findIndex((v, j) => !Number.isFinite(v) && row[j] !== -Infinity);
    if (y >= 0) {
      const problem = `makes β log π/π_ref of prompt ${x}, response ${y} beyond the float64 range`;
      throw new LuceError(fn, "beta", problem);
    }
    return implied;
  });
}

/**
 * Theorem 1's projection (appendix A.6):
 *
 * $$f(r; \pi_{\mathrm{ref}}, \beta)(x, y) = r(x, y) - \beta \log \sum_{y'} \pi_{\mathrm{ref}}(y' \mid x)
 * \exp\!\Big(\frac{r(x, y')}{\beta}\Big).$$
 *
 * It subtracts a function of x alone, so it stays in r's class; it equals
 * β log π_r(y|x)/π_ref(y|x) (eq. 4); and it is the one member of the class whose partition
 * function is 1. Computed as (r − r_max) − β log Σ π_ref e^{(r − r_max)/β} where r/β overflows, so
 * it is finite wherever f is. Error: a few EPS·(|r| + β|log Z| + β·max_y|log π_ref + r/β|) absolute
 * (log Z cancels where it is near 0).
 *
 * @param reward - r(x, y), finite
 * @param reference - π_ref, as probabilities or {@link logSpace}
 * @param beta - β > 0
 * @returns the class representative with Z(x) = 1, per prompt
 * @throws {@link LuceError} as `optimalPolicy`, and where an entry of f is beyond the float64 range
 * @example
 * ```ts
 * projectReward([[1, 0]], [[0.5, 0.5]], 1); // [[1 - log((e+1)/2), -log((e+1)/2)]]
 * ```
 */
export function projectReward(reward: Rows, reference: Policy, beta: number): Float64Array[] {
  const fn = "projectReward";
  const { r, logRef, b } = readProblem(fn, reward, reference, beta);
  return r.map((row, x) => {
    const f = projectRewardRow(row, logRef[x], b);
    const y = f.findIndex((v) => !Number.isFinite(v));
    if (y >= 0)
      throw new LuceError(fn, `reward[${x}][${y}]`, `projects to ${f[y]}: r − β log Z is beyond the float64 range`);
    return f;
  });
}
