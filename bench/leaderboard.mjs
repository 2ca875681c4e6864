// Arena leaderboard benchmark: luce's arenaLeaderboard on a simulated arena (100 models, 400,000 battles, uneven
// pair counts, ties) against, in the same run and on the same battles, two Python bootstraps of the same scheme
// (multinomial resampling of the unique (model_a, model_b, outcome) rows' counts, ties as half):
//   - numpy-Newton: Newton's method per round (vectorised numpy, dense solve), warm-started from the full fit;
//   - FastChat's way: scipy.optimize.minimize L-BFGS-B per round on the weighted logistic loss from zeros, with
//     FastChat's options (gtol 1e-6, maxiter 100) as its compute_bootstrap_bt. It is timed on a few rounds and
//     scaled to 1000 (each round is the same work from the same start), as the output says.
// Each side runs single-process for the per-core comparison; luce also on every available core (FastChat spreads
// rounds over a process pool the same way). Times are wall-clock seconds of one run and, since the machine may be
// shared, the CPU seconds the process spent in them (all its threads; Python's time.process_time). The load average
// is printed at the start and the end. Run: npm run bench:leaderboard (LUCE_DIST=<folder> benchmarks another build
// of dist/, for before/after comparisons; a build from before createRoundsRunner times its rounds one by one).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = pathToFileURL(`${process.env.LUCE_DIST ?? new URL("../dist", import.meta.url).pathname}/`);
const { arenaLeaderboard, parseBattles } = await import(new URL("index.js", dist).href);

const MODELS = 100;
const BATTLES = 400_000;
const ROUNDS = 1000;
const LBFGS_ROUNDS = Number(process.env.LBFGS_ROUNDS ?? 20);

const simulate = String.raw`
import sys, numpy as np
path, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(2024)
theta = rng.normal(0, 0.8, n)
pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
share = rng.gamma(0.3, size=len(pairs)); share /= share.sum()     # very uneven pair counts
k = rng.choice(len(pairs), size=m, p=share)
flip = rng.random(m) < 0.5
a = np.where(flip, pairs[k, 1], pairs[k, 0]); b = np.where(flip, pairs[k, 0], pairs[k, 1])
p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
tie = rng.random(m) < 0.2
a_wins = rng.random(m) < p
spell = rng.integers(0, 2, m)
winner = np.where(tie, np.where(spell == 0, "tie", '"tie (bothbad)"'), np.where(a_wins, "model_a", "model_b"))
with open(path, "w") as f:
    f.write("model_a,model_b,winner\n")
    f.write("\n".join(f"model-{x},model-{y},{w}" for x, y, w in zip(a, b, winner)))
    f.write("\n")
`;

const bootstraps = String.raw`
import sys, json, time, csv, numpy as np
from scipy.optimize import minimize
path, rounds, lbfgs_rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path) as f:
    rows = list(csv.reader(f))[1:]
names = sorted({r[0] for r in rows} | {r[1] for r in rows})
index = {x: i for i, x in enumerate(names)}
n = len(names)
schedule = np.array([(index[r[0]], index[r[1]], 2 if r[2] == "model_a" else 0 if r[2] == "model_b" else 1) for r in rows])
unique, counts = np.unique(schedule, axis=0, return_counts=True)
a, b, o = unique[:, 0], unique[:, 1], unique[:, 2] / 2.0
counts = counts.astype(float)
total = int(counts.sum())
ELO = 400 / np.log(10)

def newton(w, theta):
    free = np.arange(1, n)              # model 0 fixed at 0 (the gauge)
    for it in range(100):
        p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
        r = w * (o - p)
        g = np.bincount(a, r, n) - np.bincount(b, r, n)
        c = w * p * (1 - p)
        h = np.bincount(a * n + a, c, n * n) + np.bincount(b * n + b, c, n * n) \
            - np.bincount(a * n + b, c, n * n) - np.bincount(b * n + a, c, n * n)
        h = h.reshape(n, n)
        step = np.linalg.solve(h[1:, 1:], g[1:])
        theta[free] += step
        if np.max(np.abs(step)) < 1e-10:
            return theta, it + 1
    return theta, 100

def bt_loss_and_grad(x, w):
    d = np.log(10) * (x[a] - x[b])
    p = 1 / (1 + np.exp(-d))
    loss = -np.sum(w * (o * np.log(p) + (1 - o) * np.log(1 - p)))
    r = -np.log(10) * (o - p) * w
    return loss, np.bincount(a, r, n) - np.bincount(b, r, n)

def lbfgs(w):
    return minimize(bt_loss_and_grad, np.zeros(n), args=(w,), jac=True, method="L-BFGS-B",
                    options={"disp": False, "maxiter": 100, "gtol": 1e-6})

full, _ = newton(counts, np.zeros(n))
rng = np.random.default_rng(0)
t = time.perf_counter()
cpu = time.process_time()
newton_ratings = np.empty((rounds, n))
iterations = 0
for r in range(rounds):
    k = rng.multinomial(total, counts / total).astype(float)
    theta, its = newton(k, full.copy())
    iterations += its
    newton_ratings[r] = ELO * (theta - theta.mean())
newton_seconds = time.perf_counter() - t
newton_cpu = time.process_time() - cpu
t = time.perf_counter()
cpu = time.process_time()
lbfgs_iterations = 0
lbfgs_ratings = np.empty((lbfgs_rounds, n))
for r in range(lbfgs_rounds):
    k = rng.multinomial(total, counts / total).astype(float) / total
    result = lbfgs(k)
    lbfgs_iterations += result.nit
    lbfgs_ratings[r] = 400 * (result.x - result.x.mean())
lbfgs_seconds = time.perf_counter() - t
lbfgs_cpu = time.process_time() - cpu
width = np.quantile(newton_ratings, 0.975, axis=0) - np.quantile(newton_ratings, 0.025, axis=0)
print(json.dumps({
    "names": names,
    "full": list(ELO * (full - full.mean()) + 1000),
    "widths": list(width),
    "newtonSeconds": newton_seconds,
    "newtonCpu": newton_cpu,
    "newtonIterations": iterations / rounds,
    "lbfgsSeconds": lbfgs_seconds,
    "lbfgsCpu": lbfgs_cpu,
    "lbfgsIterations": lbfgs_iterations / lbfgs_rounds,
    "rows": len(unique),
}))
`;

const dir = mkdtempSync(join(tmpdir(), "luce-leaderboard-bench-"));
const csvPath = join(dir, "battles.csv");
execFileSync("python3", ["-c", simulate, csvPath, String(MODELS), String(BATTLES)]);

/** Runs `run`, returning its result, its wall-clock seconds and the CPU seconds of the process (all threads). */
const time = async (run) => {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return [result, (performance.now() - t) / 1000, (used.user + used.system) / 1e6];
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const cores = availableParallelism();
console.log(
  `luce arena leaderboard benchmark (${cpus().length} cores, ${cores} available; Node ${process.version}): ` +
    `${MODELS} models, ${BATTLES} battles; load average ${load()}`,
);
const text = readFileSync(csvPath, "utf8");
const [battles, parseSeconds] = await time(() => parseBattles(text));
console.log(`parse CSV (${battles.first.length} unique rows)              ${parseSeconds.toFixed(3)} s`);
const [point, pointSeconds, pointCpu] = await time(() => arenaLeaderboard(battles));
console.log(
  `point fit + sandwich and model errors          ${pointSeconds.toFixed(3)} s, CPU ${pointCpu.toFixed(3)} s ` +
    `(${point.iterations} Newton iterations)`,
);
// per round in this process, without workers: the minimum over short batches (they mostly fall between
// preemptions on a shared machine), the whole round and the resample alone
{
  const { readBattles } = await import(new URL("inference/leaderboard/battles.js", dist).href);
  const pairFit = await import(new URL("inference/leaderboard/pair-fit.js", dist).href);
  const { inverseCholeskyFactor } = await import(new URL("numerics/cholesky.js", dist).href);
  const rounds = await import(new URL("inference/leaderboard/bootstrap-rounds.js", dist).href);
  const { MultinomialSampler } = await import(new URL("inference/leaderboard/multinomial.js", dist).href);
  const { UniformStream, createRandom } = await import(new URL("numerics/random.js", dist).href);
  const data = readBattles("bench", "battles", battles);
  const pairs = pairFit.pairTotals(data, "half");
  const fit = pairFit.fitPairs(pairs, { reference: 0, tolerance: 1e-12, maxIterations: 100 });
  const information = pairFit.reducedLaplacian(pairs, pairFit.pairCurvatures(pairs, fit.theta), 0);
  const factor = inverseCholeskyFactor(information, data.models.length - 1);
  const problem = {
    kind: "pairs",
    nModels: data.models.length,
    reference: 0,
    outcome: data.outcome,
    weight: data.weight,
    battles: data.battles,
    rowPair: pairs.rowPair,
    pairFirst: pairs.first,
    pairSecond: pairs.second,
    theta: fit.theta,
    factor: { size: factor.size, stride: factor.stride, v: factor.v },
    seed: 1,
    tolerance: 1e-6, // arenaLeaderboard's ROUND_TOLERANCE
    maxIterations: 100,
  };
  const BATCH = 4; // the rounds the runner resamples together
  const out = new Float64Array(BATCH * data.models.length);
  const n = data.models.length;
  const runRound = rounds.createRoundRunner?.(problem);
  const runRounds =
    rounds.createRoundsRunner?.(problem) ??
    ((first, count) => {
      for (let i = 0; i < count; i++) runRound(first + i, out.subarray(i * n, (i + 1) * n));
    });
  const sampler = new MultinomialSampler(data.battles);
  const counts = Array.from({ length: BATCH }, () => new Float64Array(data.battles.length));
  const streams = UniformStream === undefined ? [] : Array.from({ length: BATCH }, () => new UniformStream(0));
  const resampleBatch =
    sampler.resampleMany === undefined
      ? (first) => counts.forEach((c, j) => sampler.resample(createRandom(first + j), c))
      : (first) => {
          streams.forEach((stream, j) => stream.reseed(first + j));
          sampler.resampleMany(streams, counts, BATCH);
        };
  const converged = new Uint8Array(BATCH);
  const minimumPerRound = (run) => {
    let best = Infinity;
    for (let b = 0; b < 300; b++) {
      const t = performance.now();
      run(b * BATCH);
      best = Math.min(best, performance.now() - t);
    }
    return (best / BATCH) * 1000;
  };
  const round = minimumPerRound((first) => runRounds(first, BATCH, out, converged));
  const resample = minimumPerRound(resampleBatch);
  console.log(
    `per round, one thread, minimum over 300 batches of ${BATCH}: round ${round.toFixed(0)} µs, ` +
      `the resample alone ${resample.toFixed(0)} µs (load average ${load()})`,
  );
}
const luceBootstrap = {};
for (const threads of [1, cores]) {
  if (luceBootstrap[threads] !== undefined) continue;
  const [board, seconds, cpu] = await time(() =>
    arenaLeaderboard(battles, { ci: "bootstrap", rounds: ROUNDS, seed: 1, threads }),
  );
  luceBootstrap[threads] = { board, seconds, cpu };
  console.log(
    `luce bootstrap, ${ROUNDS} rounds, ${threads} thread${threads > 1 ? "s" : ""}            ${seconds.toFixed(3)} s` +
      `, CPU ${cpu.toFixed(3)} s (${board.bootstrap.unconverged} rounds unconverged)`,
  );
}

const py = JSON.parse(
  execFileSync("python3", ["-c", bootstraps, csvPath, String(ROUNDS), String(LBFGS_ROUNDS)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  }),
);
rmSync(dir, { recursive: true, force: true });
const lbfgsScaled = (py.lbfgsSeconds * ROUNDS) / LBFGS_ROUNDS;
const lbfgsCpuScaled = (py.lbfgsCpu * ROUNDS) / LBFGS_ROUNDS;
console.log(
  `numpy-Newton bootstrap, ${ROUNDS} rounds, 1 process     ${py.newtonSeconds.toFixed(3)} s, ` +
    `CPU ${py.newtonCpu.toFixed(3)} s (${py.newtonIterations.toFixed(1)} Newton iterations a round)`,
);
console.log(
  `FastChat L-BFGS-B bootstrap, 1 process: ${LBFGS_ROUNDS} rounds ${py.lbfgsSeconds.toFixed(3)} s ` +
    `(CPU ${py.lbfgsCpu.toFixed(3)} s), scaled to ${ROUNDS}: ${lbfgsScaled.toFixed(1)} s ` +
    `(CPU ${lbfgsCpuScaled.toFixed(1)} s; ${py.lbfgsIterations.toFixed(0)} iterations a round)`,
);

// agreement: the point fit against numpy's Newton, the bootstrap widths against numpy's (Monte-Carlo error only)
const byName = new Map(point.models.map((m) => [m.name, m]));
const maxRatingDiff = Math.max(...py.names.map((name, i) => Math.abs(byName.get(name).rating - py.full[i])));
const luceBoard = luceBootstrap[cores].board;
const widths = new Map(luceBoard.models.map((m) => [m.name, m.upper - m.lower]));
const ratios = py.names.map((name, i) => widths.get(name) / py.widths[i]);
const meanRatio = ratios.reduce((s, x) => s + x, 0) / ratios.length;
console.log(
  `agreement: max |rating − numpy Newton's| = ${maxRatingDiff.toExponential(2)} Elo; ` +
    `bootstrap widths luce / numpy: mean ${meanRatio.toFixed(3)}, range ${Math.min(...ratios).toFixed(3)}–` +
    `${Math.max(...ratios).toFixed(3)}`,
);
const one = luceBootstrap[1].seconds;
const all = luceBootstrap[cores].seconds;
const oneCpu = luceBootstrap[1].cpu;
console.log(
  `speed-up of luce's bootstrap: vs numpy-Newton ${(py.newtonSeconds / one).toFixed(1)}× on one core, ` +
    `${(py.newtonSeconds / all).toFixed(1)}× on ${cores}; vs L-BFGS-B ${(lbfgsScaled / one).toFixed(0)}× on one core, ` +
    `${(lbfgsScaled / all).toFixed(0)}× on ${cores}`,
);
console.log(
  `in CPU seconds, luce's bootstrap on one thread: ${(py.newtonCpu / oneCpu).toFixed(1)}× numpy-Newton's, ` +
    `${(lbfgsCpuScaled / oneCpu).toFixed(0)}× L-BFGS-B's; load average at the end ${load()}`,
);
