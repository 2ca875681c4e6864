// Fitting benchmark: luce against choix's ILSR (`ilsr_pairwise`, tol 1e-12) in the same run.
// choix cannot be installed here: bench/choix_ilsr.py re-implements it (same algorithm and linear-algebra calls)
// and runs in a python3 subprocess (numpy, scipy); its estimate on test/fixtures/choix/pairwise.json is checked
// against the estimate choix itself recorded there. luce: the median of 7 runs in this process after warm-up runs of
// the same call until steady (see warmUp), estimates only (as choix), then the default fit, which computes standard
// errors; choix: the median of 3 runs. The ratio is
// choix's time over luce's default fit with errors; at 1000 items also in CPU time (the process's, all threads:
// less sensitive than wall time to other processes' load on a shared machine). Rows:
// - the choix fixtures (500 items / 50,000 comparisons; 150 items / 10,000 rankings, against choix's recorded time
//   only: the same-run baseline is pairwise);
// - 1000 items and 100,000 comparisons sampled from known strengths (the "fast standard errors" check).
// Run: npm run bench (LUCE_DIST=<folder> benchmarks another build of dist/, for before/after comparisons;
// LUCE_BENCH=1000 runs only the 1000-item row; LUCE_WARMUP=once warms up with one call).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { simulatedComparisons } from "./simulated-comparisons.mjs";

const dist = process.env.LUCE_DIST ? pathToFileURL(`${process.env.LUCE_DIST}/index.js`).href : "../dist/index.js";
const { fitBradleyTerry, fitPlackettLuce } = await import(dist);
const choixScript = new URL("./choix_ilsr.py", import.meta.url).pathname;

const load = (name) =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/choix/${name}.json`, import.meta.url), "utf8"));

const middle = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/**
 * Warm-up calls of `run` itself until it runs steadily: at least MIN_WARM_UP, then until a call is within
 * STEADY of the fastest before it, at most MAX_WARM_UP. One call is not enough: the JIT and the WebAssembly
 * kernel's tier-up (compiled on a background thread, later on a loaded machine) take several calls of a fit with
 * errors. LUCE_WARMUP=once warms up with a single call instead.
 */
function warmUp(run) {
  if (process.env.LUCE_WARMUP === "once") return run();
  let fastest = Infinity;
  for (let call = 0; call < MAX_WARM_UP; call++) {
    const t = performance.now();
    run();
    const time = performance.now() - t;
    if (call >= MIN_WARM_UP && time <= STEADY * fastest) return;
    fastest = Math.min(fastest, time);
  }
}
const MIN_WARM_UP = 3;
const MAX_WARM_UP = 20;
const STEADY = 1.1;

/** The median wall time of `repeats` warm runs, in seconds; `cpu` adds the median CPU time of the process. */
function median(run, repeats = 7, cpu = false) {
  warmUp(run);
  const times = [];
  const cpuTimes = [];
  for (let r = 0; r < repeats; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    run();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuTimes.push((used.user + used.system) / 1e6);
  }
  return cpu ? { seconds: middle(times) / 1000, cpuSeconds: middle(cpuTimes) } : middle(times) / 1000;
}

/** choix's ILSR on [winner, loser] pairs, in python3: its estimate and the median of `repeats` wall and CPU times. */
function choix(nItems, comparisons, repeats = 3) {
  const input = JSON.stringify({ nItems, comparisons, tol: 1e-12, repeats });
  const out = JSON.parse(execFileSync("python3", [choixScript], { input, encoding: "utf8", maxBuffer: 1 << 28 }));
  return { estimate: out.estimate, seconds: middle(out.seconds), cpuSeconds: middle(out.cpuSeconds) };
}

const maxAbsDifference = (a, b) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
const fixed = (x, width, digits = 4) => x.toFixed(digits).padEnd(width);

console.log(
  `luce fitting benchmark (${cpus().length} cores, Node ${process.version}, load ${loadavg()[0].toFixed(1)})`,
);
console.log(
  "data                         size      luce s   luce+SE s  choix s            ratio (+SE)  max |Δθ| luce vs choix",
);
const only1000 = process.env.LUCE_BENCH === "1000";

if (!only1000) {
  const d = load("pairwise");
  const est = fitBradleyTerry(d.comparisons, { standardErrors: false });
  const t = median(() => fitBradleyTerry(d.comparisons, { standardErrors: false }));
  const tSe = median(() => fitBradleyTerry(d.comparisons));
  const run = choix(d.nItems, d.comparisons);
  const recorded = `(recorded ${d.choixSeconds.toFixed(3)}; same-run re-implementation vs recorded estimate ${maxAbsDifference(run.estimate, d.estimate).toExponential(1)})`;
  console.log(
    `${"Bradley–Terry, 500 items".padEnd(28)} ${String(d.comparisons.length).padEnd(9)} ${fixed(t, 8)} ${fixed(tSe, 10)} ${fixed(run.seconds, 18)} ${(run.seconds / tSe).toFixed(1).padStart(5)}x       ${maxAbsDifference(est.logStrength, run.estimate).toExponential(1)} ${recorded}`,
  );
  const r = load("rankings");
  const estPl = fitPlackettLuce(r.rankings, { standardErrors: false });
  const tPl = median(() => fitPlackettLuce(r.rankings, { standardErrors: false }));
  const tPlSe = median(() => fitPlackettLuce(r.rankings));
  console.log(
    `${"Plackett–Luce, 150 items".padEnd(28)} ${String(r.rankings.length).padEnd(9)} ${fixed(tPl, 8)} ${fixed(tPlSe, 10)} ${fixed(r.choixSeconds, 18)} ${(r.choixSeconds / tPlSe).toFixed(1).padStart(5)}x       ${maxAbsDifference(estPl.logStrength, r.estimate).toExponential(1)} (choix's recorded time)`,
  );
}

{
  const nItems = 1000;
  const nComparisons = 100_000;
  const { winners, losers } = simulatedComparisons(nItems, nComparisons);
  const data = { winners, losers };
  const est = fitBradleyTerry(data, { nItems, standardErrors: false });
  const t = median(() => fitBradleyTerry(data, { nItems, standardErrors: false }));
  const withErrors = median(() => fitBradleyTerry(data, { nItems }).stdError, 7, true);
  const run = choix(
    nItems,
    Array.from(winners, (w, c) => [w, losers[c]]),
  );
  const tSe = withErrors.seconds;
  console.log(
    `${"Bradley–Terry, 1000 items".padEnd(28)} ${String(nComparisons).padEnd(9)} ${fixed(t, 8)} ${fixed(tSe, 10)} ${fixed(run.seconds, 18)} ${(run.seconds / tSe).toFixed(1).padStart(5)}x       ${maxAbsDifference(est.logStrength, run.estimate).toExponential(1)}`,
  );
  console.log(
    `${"  the same, CPU time".padEnd(28)} ${"".padEnd(9)} ${"".padEnd(8)} ${fixed(withErrors.cpuSeconds, 10)} ${fixed(run.cpuSeconds, 18)} ${(run.cpuSeconds / withErrors.cpuSeconds).toFixed(1).padStart(5)}x`,
  );
}
