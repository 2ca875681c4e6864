// The CPU kernel's cost for TRL's metrics and WPO's weights: its statistics pass alone (what the log-probs need) and
// the pass that also sums each row's moments, on the same float32 logits, interleaved round by round so that both see
// the same load; wall time and the process's CPU time (all threads), medians, GB/s of logits read. Then dpoBatch
// without and with `metrics` + `useWeighting`. LUCE_DIST=/path/to/dist runs another build of luce (a build whose
// kernel has no fused moments pass, as before it, runs its separate moments pass after the statistics: "two-pass").
// Run: npm run build && node bench/logit-metrics.mjs (LUCE_KERNEL=portable for the portable build);
// SHAPE="8x512x32000" ROUNDS=7 THREADS=4 override the defaults.
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";

const dist =
  process.env.LUCE_DIST === undefined
    ? new URL("../dist/", import.meta.url)
    : pathToFileURL(`${process.env.LUCE_DIST}/`);
const { dpoBatch } = await import(new URL("batch/index.js", dist));
const { defaultThreads, kernelPool } = await import(new URL("batch/cpu/worker-pool.js", dist));
const statisticsModule = await import(new URL("batch/cpu/row-statistics.js", dist));
const { readScoring, rowSource, scoredPositions } = await import(new URL("batch/scoring.js", dist));

const [B, T, V] = (process.env.SHAPE ?? "8x512x32000").split("x").map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const threads = Number(process.env.THREADS ?? defaultThreads());
let state = 20231129;
const next = () => (state = (Math.imul(1664525, state) + 1013904223) >>> 0) / 2 ** 32;
const data = Float32Array.from({ length: B * T * V }, () => 6 * next() - 3);
const labels = { data: Int32Array.from({ length: B * T }, () => Math.floor(next() * V)), shape: [B, T] };
const logits = { data, shape: [B, T, V] };

const { rowStatistics, rowMoments, runInSlices } = statisticsModule;
const scoring = readScoring("bench", logits, labels, { shift: false, threads, precision: "float32" });
const source = rowSource(scoring, scoredPositions(scoring));
// a build before the fused pass: its rowStatistics returns the statistics array, and rowMoments is a second pass
const twoPass = rowMoments !== undefined;
const kernelRuns = {
  statistics: () => runInSlices("bench", rowStatistics("bench", source, threads, "float32")),
  [twoPass ? "statistics, then moments (two-pass)" : "statistics + moments (fused)"]: async () => {
    if (!twoPass) return runInSlices("bench", rowStatistics("bench", source, threads, "float32", true));
    const stats = await runInSlices("bench", rowStatistics("bench", source, threads, "float32"));
    const maxima = Float64Array.from({ length: source.count }, (_, i) => stats[3 * i]);
    return runInSlices("bench", rowMoments("bench", source, maxima, threads, "float32"));
  },
};
const inputs = { policyLogits: logits, referenceLogps: new Array(B).fill(-1), labels };
const batchRuns = {
  dpoBatch: () => dpoBatch(inputs, { beta: 0.1, threads }),
  "dpoBatch, metrics + useWeighting": () => dpoBatch(inputs, { beta: 0.1, threads, metrics: true, useWeighting: true }),
};
const runs = { ...kernelRuns, ...batchRuns };
const times = Object.fromEntries(Object.keys(runs).map((name) => [name, { wall: [], cpu: [] }]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg()[0];
for (const run of Object.values(runs)) await run(); // warm-up
for (let round = 0; round < ROUNDS; round++)
  for (const [name, run] of Object.entries(runs)) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await run();
    times[name].wall.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    times[name].cpu.push((used.user + used.system) / 1000);
  }
console.log(
  `[${B}, ${T}, ${V}] float32 (${((4 * B * T * V) / 1e9).toFixed(2)} GB), kernel ${kernelPool().kernel}, ${threads} ` +
    `threads, ${ROUNDS} interleaved rounds, medians; luce from ${dist.pathname}`,
);
console.log(`load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}`);
for (const [name, { wall, cpu }] of Object.entries(times)) {
  const rate = name in kernelRuns ? `   ${((4 * B * T * V) / 1e6 / median(wall)).toFixed(2)} GB/s` : "";
  console.log(
    `${name.padEnd(38)} wall ${median(wall).toFixed(1).padStart(8)} ms   CPU ${median(cpu).toFixed(1).padStart(8)} ms${rate}`,
  );
}
