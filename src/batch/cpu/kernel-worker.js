// A worker thread of luce's CPU runtime (src/batch/cpu/worker-pool.ts starts it by URL).
//
// Plain JavaScript on purpose: Node starts a Worker from a .js file only, and this one file serves both the compiled
// package (tsc copies it to dist/ with allowJs) and the TypeScript sources under test (vitest runs src/*.ts, and the
// URL next to worker-pool.ts finds this file there too). Beside row-job.js it imports nothing from luce: the kernel's
// compiled module, the shared memory and its control words come in workerData, so the host process's flags and
// loaders (--input-type=module, -e, tsx, vitest) cannot change how it runs.
//
// It sleeps on its POSTED word; for each job on its port it claims and runs the call's staged chunks until none is
// left (runChunks), then counts the job DONE.
// A failing job posts its error back on the port and ends the thread; any end of the thread (an exception, exit)
// sets EXITED and wakes the main thread, which rejects the pending call at once and replaces this worker.
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import { runChunks } from "./row-job.js";

const { kernelModule, memory, control, words, scratchAt, port } = workerData;
const kernel = new WebAssembly.Instance(kernelModule, { env: { memory }, math: { exp: Math.exp } }).exports;
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
      runChunks(kernel, memory, received.message, scratchAt, Infinity);
    } catch (error) {
      port.postMessage(error);
      throw error;
    }
    done++;
    Atomics.store(state, words.done, done);
    Atomics.notify(state, words.done);
  }
}
