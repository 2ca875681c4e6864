// A worker thread of luce's CPU runtime (src/batch/cpu/worker-pool.ts starts it by URL).
//
// Plain JavaScript on purpose: Node starts a Worker from a .js file only, and this one file serves both the compiled
// package (tsc copies it to dist/ with allowJs) and the TypeScript sources under test (vitest runs src/*.ts, and the
// URL next to worker-pool.ts finds this file there too). It imports nothing from luce: everything it needs (the
// kernel's compiled module, the arena, its control words and their layout) comes in workerData, so the host
// process's flags and loaders (--input-type=module, -e, tsx, vitest) cannot change how it runs.
//
// It sleeps on its POSTED word; each job on its port names rows at byte offsets in the arena (an Int32 table) and
// either writes their statistics or replaces them by their scaled exponentials. After each job it counts it DONE.
// A failing job posts its error back on the port and ends the thread; any end of the thread (an exception, exit)
// sets EXITED and wakes the main thread, which rejects the pending call at once and replaces this worker.
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import { runJob } from "./row-job.js";

const { kernelModule, arena, control, words, layout, scratchAt, port } = workerData;
const kernel = new WebAssembly.Instance(kernelModule, { env: { memory: arena }, math: { exp: Math.exp } }).exports;
const state = new Int32Array(control);

process.on("exit", () => {
  Atomics.store(state, words.exited, 1);
  Atomics.notify(state, words.done);
});

let done = Atomics.load(state, words.done);
for (;;) {
  Atomics.wait(state, words.posted, done);
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) {
    try {
      runJob(kernel, arena, received.message, scratchAt, layout.statisticsBytes);
    } catch (error) {
      port.postMessage(error);
      throw error;
    }
    done++;
    Atomics.store(state, words.done, done);
    Atomics.notify(state, words.done);
  }
}
