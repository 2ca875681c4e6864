// A worker thread of luce's CPU runtime, started by URL from worker-pool.ts. Plain JavaScript, so that the same file
// runs from dist/ and from src/ under vitest; it imports nothing of luce but row-job.js and gets the kernel's module,
// the shared memory and its control words in workerData, so the host's flags and loaders cannot change how it runs.
// A failing job posts its error on the port and ends the thread; any end sets EXITED and wakes the calling thread.
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
