import fc from "fast-check";
import { finiteProblemArbitrary, type FiniteProblem } from "../../arbitraries/problem.js";
import { logPolicyArbitrary } from "../../arbitraries/policies.js";
import {
  areEquivalentRewards,
  canonicalReward,
  impliedReward,
  klDivergence,
  klRegularizedObjective,
  logOptimalPolicy,
  logPartition,
  logSpace,
  optimalPolicy,
  preferenceLogProbability,
  preferenceProbability,
  projectReward,
} from "../../theory/index.js";
import { constant, exact, logSumExpOf, type Precise } from "../precise.js";
import { eps, maxAbsFinite, render, ulps, type FunctionOracle, type OracleComparison } from "./oracle.js";
import { plackettLuce } from "./ranking.js";

/** A problem (β > 0) and a policy π per prompt, which may put mass where π_ref has none. */
export interface TheoryInstance {
  /** β, rewards and log π_ref. */
  readonly problem: FiniteProblem;
  /** log π per prompt. */
  readonly logPolicy: number[][];
}

const NEG_INF = constant("-Infinity");
const POS_INF = constant("Infinity");

/** Instances of one problem and a policy per prompt; `zeros`: references with zeros. @internal */
export function theoryInstances(zeros: boolean): fc.Arbitrary<TheoryInstance> {
  return finiteProblemArbitrary({ zeros }).chain((problem) =>
    fc.record({
      problem: fc.constant(problem),
      logPolicy: fc.tuple(
        ...problem.logReference.map((ref) =>
          fc.oneof(
            logPolicyArbitrary(ref.length),
            logPolicyArbitrary(ref.length, { supportOf: ref.map((v) => (v === -Infinity ? -Infinity : 0)) }),
          ),
        ),
      ),
    }),
  );
}

/** Both: references with and without zeros. @internal */
export const anyInstances = fc.oneof(theoryInstances(false), theoryInstances(true));

/** The tilted terms log π_ref + r/β at 50 digits (−Infinity where π_ref = 0). */
function tilted(r: readonly number[], ref: readonly number[], beta: Precise): Precise[] {
  return r.map((v, y) => (ref[y] === -Infinity ? NEG_INF : exact(ref[y]).plus(exact(v).div(beta))));
}

/** log π_r(·|x) at 50 digits (eq. 4): the tilted row minus its log-sum-exp; −∞ outside π_ref's support. @internal */
export function exactLogPolicy(r: readonly number[], ref: readonly number[], beta: Precise): Precise[] {
  const a = tilted(r, ref, beta);
  const z = logSumExpOf(a);
  return a.map((v) => (v.isFinite() ? v.minus(z) : NEG_INF));
}

const maxAbsOf = (xs: readonly number[]) => exact(Math.max(0, ...xs.filter(Number.isFinite).map(Math.abs)));

/** Rows of float64 results against rows of 50-digit values with one bound per row. */
function rows(
  values: ArrayLike<number>[],
  exacts: Precise[][],
  bound: (x: number, y: number) => Precise,
): OracleComparison[] {
  return exacts.flatMap((row, x) =>
    row.map((e, y) => ({ name: `prompt ${x}, response ${y}`, value: values[x][y], exact: e, bound: bound(x, y) })),
  );
}

/** Σ_y π log(π/π_ref) at 50 digits from log π: +Infinity where π > 0 = π_ref, terms with π = 0 dropped. @internal */
export function preciseKl(logPi: readonly Precise[], logRef: readonly number[]): { value: Precise; size: Precise } {
  let value = constant(0);
  let size = constant(0);
  for (let y = 0; y < logPi.length; y++) {
    if (!logPi[y].isFinite()) continue;
    if (logRef[y] === -Infinity) return { value: POS_INF, size: POS_INF };
    const term = logPi[y].exp().times(logPi[y].minus(exact(logRef[y])));
    value = value.plus(term);
    size = size.plus(term.abs());
  }
  return { value, size };
}

const show = ({ problem, logPolicy }: TheoryInstance) =>
  render({ beta: problem.beta, reward: problem.reward, logReference: problem.logReference, logPolicy });

/**
 * Oracles of the public theory functions, from the formulas of eq. 3–5, Theorem 1 and Definition 1 at 50 digits.
 *
 * @returns one oracle per public function checked
 * @internal
 */
export function theoryOracles(): FunctionOracle<never>[] {
  const oracles: FunctionOracle<TheoryInstance>[] = [
    {
      name: "logPartition",
      bound: "FEW·EPS·(max|log π_ref + r/β| + |log Z|) (derived: a log-sum-exp of those terms)",
      instances: anyInstances,
      compare: ({ problem: p }) => {
        const out = logPartition(p.reward, logSpace(p.logReference), p.beta);
        return p.reward.map((r, x) => {
          const a = tilted(r, p.logReference[x], exact(p.beta));
          const e = logSumExpOf(a);
          return { name: `prompt ${x}`, value: out[x], exact: e, bound: ulps(maxAbsFinite(a), e) };
        });
      },
      show,
    },
    {
      name: "logOptimalPolicy",
      bound: "FEW·EPS·(max|r/β| + max|log π_ref|) absolute (its documentation)",
      instances: anyInstances,
      compare: ({ problem: p }) => {
        const beta = exact(p.beta);
        const exacts = p.reward.map((r, x) => exactLogPolicy(r, p.logReference[x], beta));
        return rows(logOptimalPolicy(p.reward, logSpace(p.logReference), p.beta), exacts, (x) =>
          ulps(maxAbsOf(p.reward[x]).div(beta), maxAbsOf(p.logReference[x])),
        );
      },
      show,
    },
    {
      name: "optimalPolicy",
      bound: "π·FEW·EPS·(max|r/β| + max|log π_ref|) (log π's absolute error, exponentiated)",
      instances: anyInstances,
      compare: ({ problem: p }) => {
        const beta = exact(p.beta);
        const exacts = p.reward.map((r, x) =>
          exactLogPolicy(r, p.logReference[x], beta).map((v) => (v.isFinite() ? v.exp() : constant(0))),
        );
        return rows(optimalPolicy(p.reward, logSpace(p.logReference), p.beta), exacts, (x, y) =>
          ulps(maxAbsOf(p.reward[x]).div(beta), maxAbsOf(p.logReference[x])).times(exacts[x][y]),
        );
      },
      show,
    },
    {
      name: "projectReward",
      bound: "FEW·EPS·(|r| + β|log Z| + β·max|log π_ref + r/β|) absolute (log Z cancels its shift where it is near 0)",
      instances: anyInstances,
      compare: ({ problem: p }) => {
        const beta = exact(p.beta);
        const logZ = p.reward.map((r, x) => logSumExpOf(tilted(r, p.logReference[x], beta)));
        const exacts = p.reward.map((r, x) => r.map((v) => exact(v).minus(beta.times(logZ[x]))));
        const shifts = p.reward.map((r, x) => maxAbsFinite(tilted(r, p.logReference[x], beta)));
        return rows(projectReward(p.reward, logSpace(p.logReference), p.beta), exacts, (x, y) =>
          ulps(exact(p.reward[x][y]), beta.times(logZ[x]), beta.times(shifts[x])),
        );
      },
      show,
    },
    {
      name: "impliedReward",
      bound: "EPS·β(|log π| + |log π_ref|) absolute (its documentation)",
      instances: theoryInstances(false),
      compare: ({ problem: p, logPolicy }) => {
        const beta = exact(p.beta);
        const exacts = logPolicy.map((row, x) =>
          row.map((v, y) => (v === -Infinity ? NEG_INF : beta.times(exact(v).minus(exact(p.logReference[x][y]))))),
        );
        return rows(impliedReward(logSpace(logPolicy), logSpace(p.logReference), p.beta), exacts, (x, y) =>
          eps(exact(logPolicy[x][y]), exact(p.logReference[x][y])).times(beta),
        );
      },
      show,
    },
    {
      name: "klDivergence",
      bound: "FEW·EPS·(1 + Σ π|log π/π_ref|) absolute (its documentation); +Infinity outside π_ref's support",
      instances: anyInstances,
      compare: ({ problem: p, logPolicy }) => {
        const out = klDivergence(logSpace(logPolicy), logSpace(p.logReference));
        return logPolicy.map((row, x) => {
          const { value, size } = preciseKl(row.map(exact), p.logReference[x]);
          return { name: `prompt ${x}`, value: out[x], exact: value, bound: ulps(constant(1), size) };
        });
      },
      show,
    },
    {
      name: "klRegularizedObjective",
      bound: "FEW·EPS·(Σ π|r| + β(1 + Σ π|log π/π_ref|)) absolute (derived: the sum of the two documented bounds)",
      instances: anyInstances,
      compare: ({ problem: p, logPolicy }) => {
        const beta = exact(p.beta);
        const out = klRegularizedObjective(logSpace(logPolicy), p.reward, logSpace(p.logReference), p.beta);
        return logPolicy.map((row, x) => {
          const kl = preciseKl(row.map(exact), p.logReference[x]);
          let expected = constant(0);
          let size = constant(0);
          row.forEach((v, y) => {
            if (v === -Infinity) return;
            const term = exact(v).exp().times(exact(p.reward[x][y]));
            expected = expected.plus(term);
            size = size.plus(term.abs());
          });
          const e = kl.value.isFinite() ? expected.minus(beta.times(kl.value)) : NEG_INF;
          const bound = kl.value.isFinite() ? ulps(size, beta, beta.times(kl.size)) : POS_INF;
          return { name: `prompt ${x}`, value: out[x], exact: e, bound };
        });
      },
      show,
    },
    {
      name: "canonicalReward",
      bound: "FEW·EPS·(|r| + max|r|) absolute (derived: a compensated mean, then one subtraction)",
      instances: anyInstances,
      compare: ({ problem: p }) => {
        const exacts = p.reward.map((r) => {
          const mean = r.reduce((s, v) => s.plus(exact(v)), constant(0)).div(r.length);
          return r.map((v) => exact(v).minus(mean));
        });
        return rows(canonicalReward(p.reward), exacts, (x, y) => ulps(exact(p.reward[x][y]), maxAbsOf(p.reward[x])));
      },
      show,
    },
    {
      name: "areEquivalentRewards",
      bound: "must answer true when the exact spread of r − r′ is below half its tolerance, false above twice it",
      instances: anyInstances.chain((i) =>
        fc.record({
          instance: fc.constant(i),
          shift: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
          bump: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 10, noNaN: true })),
        }),
      ) as never,
      compare: (({ instance, shift, bump }: { instance: TheoryInstance; shift: number; bump: number }) => {
        const r1 = instance.problem.reward;
        // r′ = r + f(x), with one response moved by `bump` in the last prompt when bump > 0
        const r2 = r1.map((row, x) =>
          row.map((v, y) => v + shift + (x === r1.length - 1 && y === 0 && row.length > 1 ? bump : 0)),
        );
        // per prompt, the exact spread of r′ − r against the documented tolerance 8·EPS·max_y(|r| + |r′|)
        let clearlyWithin = true;
        let clearlyBeyond = false;
        r1.forEach((row, x) => {
          const d = row.map((v, y) => exact(r2[x][y]).minus(exact(v)));
          const spread = d.reduce((m, v) => (v.gt(m) ? v : m)).minus(d.reduce((m, v) => (v.lt(m) ? v : m)));
          const tolerance = exact(
            8 * Number.EPSILON * Math.max(...row.map((v, y) => Math.abs(v) + Math.abs(r2[x][y]))),
          );
          if (!spread.lt(tolerance.div(2))) clearlyWithin = false;
          if (spread.gt(tolerance.times(2))) clearlyBeyond = true;
        });
        const answer = areEquivalentRewards(r1, r2);
        const clear = clearlyBeyond ? 0 : clearlyWithin ? 1 : answer ? 1 : 0;
        return [{ name: "answer (1 = equivalent)", value: answer ? 1 : 0, exact: constant(clear), bound: constant(0) }];
      }) as never,
      show: ((i: { instance: TheoryInstance; shift: number; bump: number }) =>
        `${show(i.instance)}, shift ${i.shift}, bump ${i.bump}`) as never,
    },
    preferenceOracle("preferenceLogProbability", false),
    preferenceOracle("preferenceProbability", true),
  ];
  return oracles as unknown as FunctionOracle<never>[];
}

/** A preference over one prompt: responses offered in a drawn order, the first k ranked; scores from r or from π. */
interface PreferenceInstance {
  readonly instance: TheoryInstance;
  readonly prompt: number;
  readonly order: number[];
  readonly k: number;
  readonly fromPolicy: boolean;
}

/**
 * The oracle of `preferenceLogProbability` (or, with `probability`, of `preferenceProbability`, its exponential):
 * the Plackett–Luce log-probability of eq. 1 / section 3 on r, or on β log π/π_ref (eq. 6), at 50 digits.
 */
function preferenceOracle(name: string, probability: boolean): FunctionOracle<TheoryInstance> {
  const oracle: FunctionOracle<PreferenceInstance> = {
    name,
    bound: probability
      ? "p·(the bound of preferenceLogProbability + FEW·EPS) (log p's absolute error, exponentiated)"
      : "as plackettLuceLogProbability, plus 2k·EPS·β·max(|log π| + |log π_ref|) from a policy's scores",
    instances: theoryInstances(false).chain((i) =>
      fc.record({
        instance: fc.constant(i),
        prompt: fc.nat({ max: i.problem.reward.length - 1 }),
        order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        k: fc.integer({ min: 1, max: 8 }),
        fromPolicy: fc.boolean(),
      }),
    ),
    compare: ({ instance: { problem: p, logPolicy }, prompt, order, k, fromPolicy }) => {
      const beta = exact(p.beta);
      const ref = p.logReference[prompt];
      const pi = logPolicy[prompt];
      // the items on offer: every response with a finite score, in a drawn order; the first k ranked
      const offered = ref
        .map((_, y) => y)
        .filter((y) => !fromPolicy || pi[y] !== -Infinity)
        .sort((a, b) => order[a] - order[b] || a - b);
      const ranked = offered.slice(0, Math.min(k, offered.length));
      const scores = ref.map((_, y) =>
        fromPolicy ? beta.times(exact(pi[y]).minus(exact(ref[y]))) : exact(p.reward[prompt][y]),
      );
      const { value, size } = plackettLuce(scores, ranked, offered);
      const observation = { ranking: ranked, of: offered };
      const source = fromPolicy
        ? { policy: logSpace(logPolicy), reference: logSpace(p.logReference), beta: p.beta }
        : { reward: p.reward };
      const scoreError = fromPolicy
        ? eps(maxAbsOf(pi), maxAbsOf(ref))
            .times(beta)
            .times(2 * ranked.length)
        : constant(0);
      const logBound = ulps(size).plus(scoreError);
      const label = fromPolicy ? "from a policy" : "from a reward";
      if (!probability)
        return [
          { name: label, value: preferenceLogProbability(source, prompt, observation), exact: value, bound: logBound },
        ];
      const e = value.exp();
      return [
        {
          name: label,
          value: preferenceProbability(source, prompt, observation),
          exact: e,
          bound: logBound.plus(ulps(constant(1))).times(e),
        },
      ];
    },
    show: (i) => `${show(i.instance)}, prompt ${i.prompt}, order ${i.order}, k ${i.k}, from policy ${i.fromPolicy}`,
  };
  return oracle as unknown as FunctionOracle<TheoryInstance>;
}
