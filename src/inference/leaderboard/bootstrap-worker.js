// A worker thread of arenaLeaderboard's bootstrap (src/inference/leaderboard/bootstrap.ts starts it by URL).
//
// Plain JavaScript on purpose: Node starts a Worker from a .js file only, and this one file serves both the compiled
// package (tsc copies it to dist/ with allowJs) and the TypeScript sources under test. The rounds themselves are the
// compiled module whose URL comes in workerData (bootstrap-rounds.js beside the compiled host), so the worker runs
// the same code as the calling thread would.
//
// Each message on the port asks for the rounds [first, first + count); the reply carries their values (count ×
// roundWidth, round-major: θ, then γ with style control) and whether each fit converged. A failing round posts its
// error back; the host rejects the call.
import { parentPort, workerData } from "node:worker_threads";

const { createRoundsRunner, roundWidth } = await import(workerData.module);
const runRounds = createRoundsRunner(workerData.problem);
const n = roundWidth(workerData.problem);

parentPort.on("message", ({ first, count }) => {
  try {
    const theta = new Float64Array(count * n);
    const converged = new Uint8Array(count);
    runRounds(first, count, theta, converged);
    parentPort.postMessage({ first, count, theta, converged }, [theta.buffer, converged.buffer]);
  } catch (error) {
    parentPort.postMessage({ first, error });
  }
});
parentPort.postMessage({ ready: true });
