// The cost of dpoBatch's options that read more of the policy's logits than the log-probs do (metrics, useWeighting:
// a moments job over the scored rows after the statistics pass): dpoBatch without them and with both, interleaved
// round by round so that both see the same load; wall time and the process's CPU time (all threads), medians.
// Run: npm run build && node bench/logit-metrics.mjs; SHAPE="4x256x32000" ROUNDS=7 THREADS=4 override the defaults.
import { loadavg } from "node:os";
import { dpoBatch } from "../dist/batch/index.js";
import { defaultThreads } from "../dist/batch/cpu/worker-pool.js";

const [B, T, V] = (process.env.SHAPE ?? "4x256x32000").split("x").map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const threads = Number(process.env.THREADS ?? defaultThreads());
let state = 20231129;
const next = () => (state = (Math.imul(1664525, state) + 1013904223) >>> 0) / 2 ** 32;
const data = Float32Array.from({ length: B * T * V }, () => 6 * next() - 3);
const labels = { data: Int32Array.from({ length: B * T }, () => Math.floor(next() * V)), shape: [B, T] };
const inputs = { policyLogits: { data, shape: [B, T, V] }, referenceLogps: new Array(B).fill(-1), labels };
const variants = {
  plain: { beta: 0.1, threads },
  "metrics + useWeighting": { beta: 0.1, threads, metrics: true, useWeighting: true },
  "plain, gradient": { beta: 0.1, threads, gradient: true },
  "metrics + useWeighting, gradient": { beta: 0.1, threads, metrics: true, useWeighting: true, gradient: true },
};
const times = Object.fromEntries(Object.keys(variants).map((name) => [name, { wall: [], cpu: [] }]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg()[0];
for (const options of Object.values(variants)) await dpoBatch(inputs, options); // warm-up
for (let round = 0; round < ROUNDS; round++)
  for (const [name, options] of Object.entries(variants)) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await dpoBatch(inputs, options);
    times[name].wall.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    times[name].cpu.push((used.user + used.system) / 1000);
  }
console.log(`dpoBatch [${B}, ${T}, ${V}] float32, ${threads} threads, ${ROUNDS} interleaved rounds, medians`);
console.log(`load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}`);
for (const [name, { wall, cpu }] of Object.entries(times))
  console.log(
    `${name.padEnd(34)} wall ${median(wall).toFixed(1).padStart(8)} ms   CPU ${median(cpu).toFixed(1).padStart(8)} ms`,
  );
