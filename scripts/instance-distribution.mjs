// How the default finite problems are distributed, over the instances a property receives (fc.check, as
// checkStatement draws them): the share of beta = 1, of |r/beta| at its limit, of rewards essentially 0, and how low
// pi_ref goes. Run after `npm run build`: node scripts/instance-distribution.mjs
import fc from "fast-check";
import { finiteProblemArbitrary } from "../dist/arbitraries/problem.js";
const seen = [];
fc.check(
  fc.property(finiteProblemArbitrary(), (p) => {
    seen.push(p);
    return true;
  }),
  { numRuns: 1000, seed: 42 },
);
const n = seen.length;
const pct = (k) => ((100 * k) / n).toFixed(0) + "%";
const betas = seen.map((p) => p.beta);
const maxRB = seen.map((p) => Math.max(...p.reward.flat().map((r) => Math.abs(r / p.beta))));
const rewards = seen.flatMap((p) => p.reward.flat().map((r) => r / p.beta));
const refs = seen.flatMap((p) => p.logReference.flat());
console.log(`instances ${n}`);
console.log(
  `beta = 1 exactly: ${pct(betas.filter((b) => b === 1).length)}; beta in [0.5, 2]: ${pct(betas.filter((b) => b >= 0.5 && b <= 2).length)}; beta < 0.1: ${pct(betas.filter((b) => b < 0.1).length)}; beta > 10: ${pct(betas.filter((b) => b > 10).length)}`,
);
console.log(
  `instances with max|r/beta| = 4000: ${pct(maxRB.filter((m) => m >= 4000).length)}; with max|r/beta| <= 10: ${pct(maxRB.filter((m) => m <= 10).length)}`,
);
const m = rewards.length;
const pr = (k) => ((100 * k) / m).toFixed(0) + "%";
console.log(
  `rewards (${m}): |r/beta| < 1e-6: ${pr(rewards.filter((r) => Math.abs(r) < 1e-6).length)}; 0.01..10: ${pr(rewards.filter((r) => Math.abs(r) >= 0.01 && Math.abs(r) <= 10).length)}; >= 100: ${pr(rewards.filter((r) => Math.abs(r) >= 100).length)}`,
);
const rr = refs.length;
const pf = (k) => ((100 * k) / rr).toFixed(0) + "%";
console.log(
  `log pi_ref entries (${rr}): > -10: ${pf(refs.filter((v) => v > -10).length)}; <= -600: ${pf(refs.filter((v) => v <= -600).length)}; min ${Math.min(...refs.filter(Number.isFinite)).toFixed(0)}`,
);
