// npm run mutants: a fixed list of one-line bugs ("mutants") of theory, ranking, numerics, losses and proofs code,
// each applied to a temporary copy of the project (never to the working tree), each of which must be caught by the
// test files of the mutated area or by `luce verify` (verifyPaper at 100 runs, seed 42). Prints caught/survived per
// mutant and exits 1 when any survives (or when the unmutated copy does not pass).
//
//   node scripts/mutants.mjs [--rev <git revision>] [--only <id,id>] [--verify-only] [--check]
//
// --check only checks, in seconds, that every mutant's line occurs exactly once in the working tree and that its
// replacement changes it (npm test runs it, so a refactor cannot leave a mutant that checks nothing).
// --verify-only skips the area's tests, to count what `luce verify` alone catches.
// --rev copies that revision (git archive) instead of the working tree, to count what an older tree catches; a
// mutant whose line that tree lacks is reported "not applicable". Each mutant lists alternative lines to find (the
// current one first, then the same line as older trees wrote it).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const { values } = parseArgs({
  options: {
    rev: { type: "string" },
    only: { type: "string" },
    "verify-only": { type: "boolean" },
    check: { type: "boolean" },
  },
});

// Each area's tests run on the TypeScript sources of an unbuilt copy: tests of the built CLI (which a mutant of
// src/ would not reach) belong in test/cli, which no area lists.
const TESTS = {
  theory: ["test/theory", "test/proofs/oracles.test.ts", "test/proofs/wrong-kernels.test.ts"],
  numerics: ["test/numerics", "test/proofs/oracles.test.ts"],
  ranking: ["test/ranking", "test/proofs/oracles.test.ts", "test/proofs/sampling-distribution.test.ts"],
  losses: ["test/losses"],
  proofs: ["test/proofs"],
};

/** One-line mutants: file, the line as found (alternatives), its replacement, and the area whose tests run. */
const MUTANTS = [
  // theory
  {
    id: "kl-skips-outside-support",
    area: "theory",
    file: "src/theory/kl.ts",
    find: ["    if (logRef[y] === -Infinity) return Infinity;"],
    replace: "    if (logRef[y] === -Infinity) continue;",
  },
  {
    id: "kl-objective-missing-beta",
    area: "theory",
    file: "src/theory/kl.ts",
    find: [
      "const objective = expectedRewardRow(row, r[x]) - b * kl;",
      "expectedRewardRow(row, r[x]) - b * klRow(row, logRef[x])",
    ],
    replace: (line) =>
      ({
        "const objective = expectedRewardRow(row, r[x]) - b * kl;":
          "const objective = expectedRewardRow(row, r[x]) - kl;",
        "expectedRewardRow(row, r[x]) - b * klRow(row, logRef[x])":
          "expectedRewardRow(row, r[x]) - klRow(row, logRef[x])",
      })[line],
  },
  {
    id: "tilted-missing-beta",
    area: "theory",
    file: "src/theory/kernels.ts",
    find: ["terms[y] = logReference[y] + tilt;", "logReference[y] + reward[y] / beta;"],
    replace: (line) =>
      ({
        "terms[y] = logReference[y] + tilt;": "terms[y] = logReference[y] + tilt * beta;",
        "logReference[y] + reward[y] / beta;": "logReference[y] + reward[y];",
      })[line],
  },
  {
    id: "tilted-sign",
    area: "theory",
    file: "src/theory/kernels.ts",
    find: ["terms[y] = logReference[y] + tilt;", "logReference[y] + reward[y] / beta;"],
    replace: (line) =>
      ({
        "terms[y] = logReference[y] + tilt;": "terms[y] = logReference[y] - tilt;",
        "logReference[y] + reward[y] / beta;": "logReference[y] - reward[y] / beta;",
      })[line],
  },
  {
    id: "optimal-policy-dropped-log1p",
    area: "theory",
    file: "src/theory/kernels.ts",
    find: [
      "for (let y = 0; y < terms.length; y++) terms[y] = terms[y] - max - shift;",
      "for (let y = 0; y < a.length; y++) a[y] = a[y] - max - shift;",
    ],
    replace: (line) =>
      ({
        "for (let y = 0; y < terms.length; y++) terms[y] = terms[y] - max - shift;":
          "for (let y = 0; y < terms.length; y++) terms[y] = terms[y] - max;",
        "for (let y = 0; y < a.length; y++) a[y] = a[y] - max - shift;":
          "for (let y = 0; y < a.length; y++) a[y] = a[y] - max;",
      })[line],
  },
  {
    id: "project-reward-1e3-eps",
    area: "theory",
    file: "src/theory/kernels.ts",
    find: [
      "return Float64Array.from(reward, (r) => r - pivot - shift);",
      "return Float64Array.from(reward, (r) => r - shift);",
    ],
    replace: (line) =>
      ({
        "return Float64Array.from(reward, (r) => r - pivot - shift);":
          "return Float64Array.from(reward, (r) => (r - pivot - shift) * (1 + 1e3 * Number.EPSILON));",
        "return Float64Array.from(reward, (r) => r - shift);":
          "return Float64Array.from(reward, (r) => (r - shift) * (1 + 1e3 * Number.EPSILON));",
      })[line],
  },
  {
    id: "project-reward-1e-9",
    area: "theory",
    file: "src/theory/kernels.ts",
    find: [
      "return Float64Array.from(reward, (r) => r - pivot - shift);",
      "return Float64Array.from(reward, (r) => r - shift);",
    ],
    replace: (line) =>
      ({
        "return Float64Array.from(reward, (r) => r - pivot - shift);":
          "return Float64Array.from(reward, (r) => (r - pivot - shift) * (1 + 1e-9));",
        "return Float64Array.from(reward, (r) => r - shift);":
          "return Float64Array.from(reward, (r) => (r - shift) * (1 + 1e-9));",
      })[line],
  },
  {
    id: "implied-reward-missing-beta",
    area: "theory",
    file: "src/theory/kernels.ts",
    find: ["for (let y = 0; y < r.length; y++) r[y] = beta * (logPolicy[y] - logReference[y]);"],
    replace: "for (let y = 0; y < r.length; y++) r[y] = logPolicy[y] - logReference[y];",
  },
  {
    id: "log-partition-wrong-prompt-row",
    area: "theory",
    file: "src/theory/optimal-policy.ts",
    find: [
      "const logZ = logPartitionRow(row, logRef[x], b);",
      "return Float64Array.from(r, (row, x) => logPartitionRow(row, logRef[x], b));",
    ],
    replace: (line) =>
      ({
        "const logZ = logPartitionRow(row, logRef[x], b);": "const logZ = logPartitionRow(row, logRef[0], b);",
        "return Float64Array.from(r, (row, x) => logPartitionRow(row, logRef[x], b));":
          "return Float64Array.from(r, (row) => logPartitionRow(row, logRef[0], b));",
      })[line],
  },
  {
    id: "log-optimal-policy-wrong-prompt-row",
    area: "theory",
    file: "src/theory/optimal-policy.ts",
    find: ["return r.map((row, x) => logOptimalPolicyRow(row, logRef[x], b));"],
    replace: "return r.map((row) => logOptimalPolicyRow(row, logRef[0], b));",
  },
  {
    id: "eq6-missing-beta",
    area: "theory",
    file: "src/theory/preference.ts",
    find: [
      "const scores = impliedRewardRow(logPi[x], logRef[x], beta);",
      "return impliedRewardRow(logPi[x], logRef[x], beta);",
    ],
    replace: (line) =>
      ({
        "const scores = impliedRewardRow(logPi[x], logRef[x], beta);":
          "const scores = impliedRewardRow(logPi[x], logRef[x], 1);",
        "return impliedRewardRow(logPi[x], logRef[x], beta);": "return impliedRewardRow(logPi[x], logRef[x], 1);",
      })[line],
  },
  {
    id: "canonical-reward-off-by-one",
    area: "theory",
    file: "src/theory/equivalence.ts",
    find: ["const mean = sum.value() / row.length;"],
    replace: "const mean = sum.value() / (row.length + 1);",
  },
  {
    id: "equivalence-tolerance-1e6",
    area: "theory",
    file: "src/theory/equivalence.ts",
    find: ["      ? 8 * Number.EPSILON"],
    replace: "      ? 8e6 * Number.EPSILON",
  },
  // the reward–KL frontier
  {
    id: "frontier-missing-prompt-weight",
    area: "theory",
    file: "src/theory/frontier.ts",
    find: ["    kl.add(p.w[x] * klRow(row, p.logRef[x]));"],
    replace: "    kl.add(klRow(row, p.logRef[x]));",
  },
  {
    id: "frontier-wrong-beta",
    area: "theory",
    file: "src/theory/frontier.ts",
    find: ["        p.r.map((row, x) => logOptimalPolicyRow(row, p.logRef[x], beta)),"],
    replace: "        p.r.map((row, x) => logOptimalPolicyRow(row, p.logRef[x], 2 * beta)),",
  },
  {
    id: "frontier-bisection-direction",
    area: "theory",
    file: "src/theory/frontier.ts",
    find: ["    if (at(mid).kl > kl) lo = mid;"],
    replace: "    if (at(mid).kl < kl) lo = mid;",
  },
  {
    id: "frontier-bisection-stops-early",
    area: "theory",
    file: "src/theory/frontier.ts",
    find: ["  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {"],
    replace: "  for (let i = 0; i < 200 && hi - lo > 1e-3; i++) {",
  },
  // numerics
  {
    id: "log1p-exp-1e3-eps",
    area: "numerics",
    file: "src/numerics/log1p-exp.ts",
    find: ["if (x <= 18) return Math.log1p(Math.exp(x));"],
    replace: "if (x <= 18) return Math.log1p(Math.exp(x)) * (1 + 1e3 * Number.EPSILON);",
  },
  {
    id: "log1p-exp-dropped-term",
    area: "numerics",
    file: "src/numerics/log1p-exp.ts",
    find: ["if (x <= 33.3) return x + Math.exp(-x);"],
    replace: "if (x <= 33.3) return x;",
  },
  {
    id: "sigmoid-sign",
    area: "numerics",
    file: "src/numerics/sigmoid.ts",
    find: ["  return e / (1 + e);"],
    replace: "  return e / (1 - e);",
  },
  {
    id: "log-sigmoid-sign",
    area: "numerics",
    file: "src/numerics/log-sigmoid.ts",
    find: ["  return -log1pExpUnchecked(-x);"],
    replace: "  return -log1pExpUnchecked(x);",
  },
  {
    id: "log1m-exp-sign",
    area: "numerics",
    file: "src/numerics/log1m-exp.ts",
    find: ["return a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));"],
    replace: "return a > -Math.LN2 ? Math.log(-Math.expm1(a)) : Math.log1p(Math.exp(a));",
  },
  {
    id: "log-sum-exp-wrong-index",
    area: "numerics",
    file: "src/numerics/log-sum-exp.ts",
    find: ["    if (i !== argmax) rest.add(Math.exp(values[i] - max));"],
    replace: "    if (i !== 0) rest.add(Math.exp(values[i] - max));",
  },
  {
    id: "suffix-accumulator-dropped-term",
    area: "numerics",
    file: "src/numerics/suffix-log-sum-exp.ts",
    find: ["      this.rest.add(shrink);"],
    replace: "      // this.rest.add(shrink);",
  },
  // ranking
  {
    id: "plackett-luce-top-k-off-by-one",
    area: "ranking",
    file: "src/ranking/plackett-luce.ts",
    find: ["  for (let j = 0; j < nItems; j++) if (!isRanked[j]) unranked.push(j);"],
    replace: "  for (let j = 1; j < nItems; j++) if (!isRanked[j]) unranked.push(j);",
  },
  {
    id: "plackett-luce-first-factor-dropped",
    area: "ranking",
    file: "src/ranking/plackett-luce.ts",
    find: ["  for (let i = obs.ranked.length - 1; i >= 0; i--) {"],
    replace: "  for (let i = obs.ranked.length - 1; i >= 1; i--) {",
  },
  {
    id: "plackett-luce-gradient-dropped-term",
    area: "ranking",
    file: "src/ranking/plackett-luce.ts",
    find: ["    grad[chosen] -= weight * Math.expm1(chosenLogShare);"],
    replace: "    grad[chosen] -= 0;",
  },
  {
    id: "bradley-terry-gradient-sign",
    area: "ranking",
    file: "src/ranking/bradley-terry.ts",
    find: ["const g = counts[c] * sigmoidUnchecked(s[losers[c]] - s[winners[c]]);"],
    replace: "const g = counts[c] * sigmoidUnchecked(s[winners[c]] - s[losers[c]]);",
  },
  {
    id: "bradley-terry-hessian-curvature",
    area: "ranking",
    file: "src/ranking/bradley-terry.ts",
    find: ["    const curvature = counts[c] * sigmoidUnchecked(d) * sigmoidUnchecked(-d);"],
    replace: "    const curvature = counts[c] * sigmoidUnchecked(d) * sigmoidUnchecked(d);",
  },
  {
    id: "plackett-luce-hessian-1e3-eps",
    area: "ranking",
    file: "src/ranking/plackett-luce.ts",
    find: ["      const p = inPlay.map((j) => Math.exp(s[j] - logNormalizer));"],
    replace: "      const p = inPlay.map((j) => Math.exp(s[j] - logNormalizer) * (1 + 1e3 * Number.EPSILON));",
  },
  {
    id: "plackett-luce-hessian-off-by-one",
    area: "ranking",
    file: "src/ranking/plackett-luce.ts",
    find: ["        for (let b = 0; b < inPlay.length; b++) row[inPlay[b]] += p[a] * p[b];"],
    replace: "        for (let b = 1; b < inPlay.length; b++) row[inPlay[b]] += p[a] * p[b];",
  },
  {
    id: "sampler-exponential-noise",
    area: "ranking",
    file: "src/ranking/sampling.ts",
    find: ["    perturbed[j] = s[j] - Math.log(-Math.log(positiveUniform(fn, random)));"],
    replace: "    perturbed[j] = s[j] - Math.log(positiveUniform(fn, random));",
  },
  // losses
  {
    id: "dpo-sigmoid-missing-beta",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: [
      "    conservativeSigmoid(scaledDifference(beta, u, v), eps, out, 0);",
      "    conservativeSigmoid(beta * (u - v), eps, out, 0);",
      "  conservativeSigmoid(betaD, eps, out, 0);",
    ],
    replace: (line) =>
      ({
        "    conservativeSigmoid(scaledDifference(beta, u, v), eps, out, 0);":
          "    conservativeSigmoid(u - v, eps, out, 0);",
        "    conservativeSigmoid(beta * (u - v), eps, out, 0);": "    conservativeSigmoid(u - v, eps, out, 0);",
        "  conservativeSigmoid(betaD, eps, out, 0);": "  conservativeSigmoid(betaD / beta, eps, out, 0);",
      })[line],
  },
  {
    id: "ipo-wrong-margin",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    const r = u - v - 1 / (2 * beta);", "    const r = d - 1 / (2 * beta);"],
    replace: (line) =>
      ({
        "    const r = u - v - 1 / (2 * beta);": "    const r = u - v - 1 / beta;",
        "    const r = d - 1 / (2 * beta);": "    const r = d - 1 / beta;",
      })[line],
  },
  {
    id: "plackett-luce-dpo-missing-beta",
    area: "losses",
    file: "src/losses/plackett-luce-dpo.ts",
    find: ["rhat[k] = beta * (p[k] - r[k]);", "for (let k = 0; k < p.length; k++) rhat[k] = beta * (p[k] - r[k]);"],
    replace: (line) =>
      ({
        "rhat[k] = beta * (p[k] - r[k]);": "rhat[k] = p[k] - r[k];",
        "for (let k = 0; k < p.length; k++) rhat[k] = beta * (p[k] - r[k]);":
          "for (let k = 0; k < p.length; k++) rhat[k] = p[k] - r[k];",
      })[line],
  },
  {
    id: "nca-pair-gradient-half",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    out[2] = 0.5 * beta * sig(b);"],
    replace: "    out[2] = beta * sig(b);",
  },
  {
    id: "robust-gradient-sign",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    out[1] = -beta * scale * ((1 - eps) * sig(-x) + eps * sig(x));"],
    replace: "    out[1] = -beta * scale * ((1 - eps) * sig(-x) - eps * sig(x));",
  },
  {
    id: "bco-pair-delta-sign",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    const b = beta * v - delta;"],
    replace: "    const b = beta * v + delta;",
  },
  {
    id: "sppo-hard-gradient-sign",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    out[2] = 2 * b;"],
    replace: "    out[2] = -2 * b;",
  },
  {
    id: "apo-down-gradient-sign-of-margin",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    out[1] = beta * (sig(a) * sig(-a) - curvature);"],
    replace: "    out[1] = beta * (sig(a) * sig(-a) + curvature);",
  },
  {
    id: "apo-zero-gradient-missing-factor",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    out[2] = beta * sig(b) * sig(-b);"],
    replace: "    out[2] = beta * sig(b);",
  },
  {
    id: "discopop-weight-sign",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    const oneMinusW = sig(-l / tau);"],
    replace: "    const oneMinusW = sig(l / tau);",
  },
  {
    id: "discopop-1e3-eps",
    area: "losses",
    file: "src/losses/pairwise-kernels.ts",
    find: ["    const weightedExp = Math.exp(ls(l / tau) - l);"],
    replace: "    const weightedExp = Math.exp(ls(l / tau) - l) * (1 + 1e3 * Number.EPSILON);",
  },
  {
    id: "aot-gradient-wrong-order",
    area: "losses",
    file: "src/losses/dpo.ts",
    find: ["      gradRejected[orderA[k]] -= g;"],
    replace: "      gradRejected[orderB[k]] -= g;",
  },
  {
    id: "length-normalised-gradient-missing-length",
    area: "losses",
    file: "src/losses/dpo.ts",
    find: ["    into.gradChosen[i] += scores.chain(out[1] / cl, u[i]);", "      gradPolicyChosen[i] = out[1] / cl;"],
    replace: (line) =>
      ({
        "    into.gradChosen[i] += scores.chain(out[1] / cl, u[i]);":
          "    into.gradChosen[i] += scores.chain(out[1], u[i]);",
        "      gradPolicyChosen[i] = out[1] / cl;": "      gradPolicyChosen[i] = out[1];",
      })[line],
  },
  {
    id: "plackett-luce-dpo-gradient-missing-beta",
    area: "losses",
    file: "src/losses/plackett-luce-dpo.ts",
    find: ["    addObservationGradient(rhat, obs, -beta, grad);"],
    replace: "    addObservationGradient(rhat, obs, -1, grad);",
  },
  // proofs (the checkers themselves)
  {
    id: "lemma-2-self-comparison",
    area: "proofs",
    file: "src/proofs/statements/lemma-2.ts",
    find: [
      "        const residual = maxAbsDiff(policy, direct);",
      "        const residual = maxAbsDiff(logOptimalPolicyRow(r, ref, beta), logOptimalPolicyRow(shifted, ref, beta));",
    ],
    replace:
      "        const residual = maxAbsDiff(logOptimalPolicyRow(r, ref, beta), logOptimalPolicyRow(r, ref, beta));",
  },
  {
    id: "theorem-1-bound-1e6-looser",
    area: "proofs",
    file: "src/proofs/statements/theorem-1.ts",
    find: ["        const bound = 8 * EPS * scale;", "        const bound = 16 * EPS * size;"],
    replace: (line) => line.replace(/(\d+) \* EPS/, "$1e6 * EPS"),
  },
  {
    id: "precise-log1p-rounds-one-plus-u",
    area: "proofs",
    file: "src/proofs/precise.ts",
    find: ["  if (u.abs().gte(SERIES_BELOW)) return new B(new W(u).plus(1).ln());"],
    replace: "  if (u.abs().gte(SERIES_BELOW)) return new B(u).plus(1).ln();",
  },
  {
    id: "check-statement-evaluates-10",
    area: "proofs",
    file: "src/proofs/check.ts",
    find: ["    { numRuns: runs, seed },"],
    replace: "    { numRuns: Math.min(runs, 10), seed },",
  },
  {
    id: "check-statement-nan-within-bound",
    area: "proofs",
    file: "src/proofs/check.ts",
    find: ["  if (!(r.residual <= r.bound)) return Infinity;"],
    replace: "  if (r.residual > r.bound) return Infinity;",
  },
  {
    id: "check-statement-ignores-50-digits",
    area: "proofs",
    file: "src/proofs/check.ts",
    find: ['    verdict: holds ? "holds" : "refuted",'],
    replace: '    verdict: "holds",',
  },
  {
    id: "beta-zero-accepts-any-error",
    area: "proofs",
    file: "src/proofs/assumptions.ts",
    find: [
      '    return { verdict: e.argument === "beta" ? "domain error" : "holds", evidence: e.message };',
      '          if (e instanceof LuceError) return { verdict: "domain error", evidence: e.message };',
    ],
    replace: (line) =>
      line.includes("instanceof") ? line : '    return { verdict: "domain error", evidence: e.message };',
  },
  // the certified loss statements (Krawczyk's test and the population optimum's claims)
  {
    id: "krawczyk-skips-interior-test",
    area: "proofs",
    file: "src/proofs/krawczyk.ts",
    find: ["  if (!image.every((v, i) => inside(v, box[i])))"],
    replace: "  if (!image.every((v, i) => inside(v, box[i]) || i >= 0))",
  },
  {
    id: "robust-kernel-unbiased-by-one-minus-eps",
    area: "proofs",
    file: "src/proofs/statements/loss-optimum-enclosure.ts",
    find: ["    const unbias = sub(one, mul(fromConstant(2), e));"],
    replace: "    const unbias = sub(one, e);",
  },
  {
    id: "population-optimum-claims-ulps-only",
    area: "proofs",
    file: "src/theory/population-optimum.ts",
    find: ["    const logPolicyError = 2 * STEP_SAFETY * step + formingError(final.theta, prompt.logReference);"],
    replace: "    const logPolicyError = 0 * STEP_SAFETY * step + formingError(final.theta, prompt.logReference);",
  },
  {
    id: "apo-zero-net-weight-sign",
    area: "theory",
    file: "src/theory/population-optimum.ts",
    find: ["    net[chosen] -= weight;"],
    replace: "    net[chosen] += weight;",
  },
];

/** The longest one vitest run may take: the unmutated copy runs every area's tests and verify at once. */
const RUN_TIMEOUT_MS = 30 * 60_000;

/** The same check `luce verify` runs, as a test file dropped into the copy (vitest runs the TypeScript sources). */
const VERIFY_TEST = `import { expect, it } from "vitest";
import { verifyPaper } from "../src/proofs/verify.js";
it("luce verify passes", async () => {
  const report = await verifyPaper({ runs: 100, seed: 42 });
  expect(report.ok).toBe(true);
}, ${RUN_TIMEOUT_MS});
`;

function copyProject() {
  const dir = mkdtempSync(join(tmpdir(), "luce-mutants-"));
  if (values.rev !== undefined) {
    const tar = execFileSync("git", ["-C", root, "archive", values.rev], { maxBuffer: 1 << 30 });
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
  } else {
    const list = execFileSync("git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
      .toString()
      .split("\0")
      .filter((f) => f !== "" && existsSync(join(root, f)));
    for (const f of list) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(root, f), join(dir, f));
    }
  }
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "test", "mutant-verify.test.ts"), VERIFY_TEST);
  return dir;
}

/** Runs vitest on the given files in the copy; true when every test passed. `explain` prints why not. */
function passes(dir, files, explain = false) {
  const present = files.filter((f) => existsSync(join(dir, f)));
  const run = spawnSync("npx", ["vitest", "run", "--bail", "1", ...present], {
    cwd: dir,
    env: { ...process.env, LUCE_SEED: process.env.LUCE_SEED ?? "20231129" },
    encoding: "utf8",
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0 && explain) {
    const why = run.error === undefined ? `exit ${run.status}` : String(run.error);
    console.log(`${why}\n${`${run.stdout ?? ""}${run.stderr ?? ""}`.split("\n").slice(-40).join("\n")}`);
  }
  return run.status === 0;
}

/** The mutants whose line is not exactly once in the working tree, or whose replacement leaves it as it is. */
function unapplicable() {
  return MUTANTS.filter((m) => {
    const text = readFileSync(join(root, m.file), "utf8");
    const line = m.find.find((f) => text.split(f).length === 2);
    return line === undefined || (typeof m.replace === "function" ? m.replace(line) : m.replace) === line;
  });
}

if (values.check) {
  const stale = unapplicable();
  for (const m of stale) console.log(`not applicable: ${m.id} (${m.file}): update its line`);
  console.log(`${MUTANTS.length - stale.length} of ${MUTANTS.length} mutants apply to the working tree`);
  process.exit(stale.length === 0 ? 0 : 1);
}

const dir = copyProject();
const started = performance.now();
try {
  const chosen = values.only === undefined ? MUTANTS : MUTANTS.filter((m) => values.only.split(",").includes(m.id));
  const areas = [...new Set(chosen.map((m) => m.area))];
  process.stdout.write(`unmutated copy: `);
  const clean = passes(dir, [...areas.flatMap((a) => TESTS[a]), "test/mutant-verify.test.ts"], true);
  console.log(clean ? "passes" : "FAILS");
  if (!clean) {
    console.log("the unmutated copy must pass its tests and verify before mutants mean anything");
    process.exitCode = 1;
  } else {
    const counts = { caught: 0, survived: 0, "not applicable": 0 };
    for (const m of chosen) {
      const path = join(dir, m.file);
      const original = readFileSync(path, "utf8");
      const line = m.find.find((f) => original.split(f).length === 2);
      let outcome;
      if (line === undefined) {
        outcome = "not applicable";
      } else {
        const replacement = typeof m.replace === "function" ? m.replace(line) : m.replace;
        if (replacement === line) {
          // the tree already has this bug, and its clean copy passed: it survives
          outcome = "survived";
        } else {
          writeFileSync(path, original.replace(line, replacement));
          try {
            if (!values["verify-only"] && !passes(dir, TESTS[m.area])) outcome = "caught by tests";
            else if (!passes(dir, ["test/mutant-verify.test.ts"])) outcome = "caught by verify";
            else outcome = "survived";
          } finally {
            writeFileSync(path, original);
          }
        }
      }
      counts[outcome.startsWith("caught") ? "caught" : outcome]++;
      console.log(`${outcome.padEnd(16)}  ${m.id}  (${m.file})`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `\n${counts.caught} caught, ${counts.survived} survived, ${counts["not applicable"]} not applicable, of ${chosen.length} mutants (${seconds} s)`,
    );
    // on the working tree every mutant must apply: one whose line is gone checks nothing and must be updated
    if (counts.survived > 0 || (values.rev === undefined && counts["not applicable"] > 0)) process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
