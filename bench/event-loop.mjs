// Whether luce's promise-returning batch calls let the event loop run while they work, and what that costs.
// Five back-to-back sequenceLogProbs calls on [8, 512, 32000] float32 logits (the default CPU path), with a 1 ms
// timer whose callback records the gaps between its ticks: the longest gap is the longest stall of the event loop.
// Then the five calls' wall time with that timer busy (each tick spends BUSY_MS working, as a server or a data loader
// would) against without a timer, interleaved, best of ROUNDS each: the throughput cost of keeping the loop free.
// On Linux it also splits the longest stall into the calling thread's time on a CPU and its time waiting for one.
// Run: npm run build && node bench/event-loop.mjs (LUCE_DIST=/path/to/dist compares another build;
// SHAPE=8x512x32000, PRECISION=float64, ROUNDS=5 and BUSY_MS=0.2 override the defaults).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dist = resolve(process.env.LUCE_DIST ?? new URL("../dist", import.meta.url).pathname);
const { sequenceLogProbs } = await import(pathToFileURL(`${dist}/batch/index.js`).href);
const [B, T, V] = (process.env.SHAPE ?? "8x512x32000").split("x").map(Number);
const precision = process.env.PRECISION ?? "float32";
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BUSY_MS = Number(process.env.BUSY_MS ?? 0.2);
const CALLS = 5;

const data = new Float32Array(B * T * V);
for (let i = 0; i < data.length; i++) data[i] = 3 * Math.sin(i * 0.001);
const labels = { data: Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % V), shape: [B, T] };
const logits = { data, shape: [B, T, V] };
const fiveCalls = async () => {
  for (let k = 0; k < CALLS; k++) await sequenceLogProbs(logits, labels, { precision });
};

/**
 * The calling thread's time on a CPU and waiting for one, in ms, from Linux's schedstat (the main thread's id is the
 * process id): a stall during which the thread waited for a CPU is the machine's contention, not the code's.
 */
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const cpuTimes = existsSync(schedstat)
  ? () =>
      readFileSync(schedstat, "utf8")
        .split(" ")
        .slice(0, 2)
        .map((ns) => Number(ns) / 1e6)
  : () => [NaN, NaN];

/** Runs `work` beside a 1 ms interval timer spending `busyMs` per tick; returns the wall time and the longest gap. */
async function withTimer(work, busyMs) {
  let last = performance.now();
  let lastTimes = cpuTimes();
  let longest = 0;
  let longestSplit = [NaN, NaN];
  const gaps = [];
  const tick = (now) => {
    const times = cpuTimes();
    gaps.push(now - last);
    if (now - last > longest) {
      longest = now - last;
      longestSplit = [times[0] - lastTimes[0], times[1] - lastTimes[1]];
    }
    lastTimes = times;
  };
  const timer = setInterval(() => {
    const now = performance.now();
    tick(now);
    while (performance.now() - now < busyMs);
    last = performance.now();
    lastTimes = cpuTimes();
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  last = performance.now();
  lastTimes = cpuTimes();
  longest = 0;
  gaps.length = 0;
  const start = performance.now();
  await work();
  const wall = performance.now() - start;
  clearInterval(timer);
  tick(performance.now()); // the gap still open when the work ended (the whole run where the timer never ticked)
  gaps.sort((a, b) => a - b);
  const [ran, waited] = longestSplit;
  return { wall, longest, ran, waited, p99: gaps[Math.floor(0.99 * (gaps.length - 1))] ?? 0, ticks: gaps.length };
}

await fiveCalls(); // warm-up: starts the worker threads, tiers the code up
let stall = { longest: Infinity };
let quiet = Infinity;
let busy = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  const measured = await withTimer(fiveCalls, 0);
  if (measured.longest < stall.longest) stall = measured;
  const order = r % 2 === 0 ? ["quiet", "busy"] : ["busy", "quiet"];
  for (const which of order) {
    if (which === "quiet") {
      const start = performance.now();
      await fiveCalls();
      quiet = Math.min(quiet, performance.now() - start);
    } else busy = Math.min(busy, (await withTimer(fiveCalls, BUSY_MS)).wall);
  }
}
console.log(
  `${dist}: ${CALLS} calls on [${B}, ${T}, ${V}] ${precision}: longest event-loop stall ${stall.longest.toFixed(1)} ms ` +
    `(the calling thread ran ${stall.ran.toFixed(1)} ms of it and waited ${stall.waited.toFixed(1)} ms for a CPU) ` +
    `(99th percentile ${stall.p99.toFixed(1)} ms, ${stall.ticks} ticks of a 1 ms timer in ${stall.wall.toFixed(0)} ms); ` +
    `best wall time ${quiet.toFixed(0)} ms without a timer, ${busy.toFixed(0)} ms with a busy one ` +
    `(${BUSY_MS} ms a tick): ${((busy / quiet - 1) * 100).toFixed(1)}% slower`,
);
