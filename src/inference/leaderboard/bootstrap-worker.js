// A worker thread of arenaLeaderboard's bootstrap (src/inference/leaderboard/bootstrap.ts starts it by URL).
//
// Plain JavaScript on purpose: Node starts a Worker from a .js file only, and this one file serves both the compiled
// package (tsc copies it to dist/ with allowJs) and the TypeScript sources under test. The rounds themselves are the
// compiled module whose URL comes in workerData (bootstrap-rounds.js beside the compiled host), so the worker runs
// the same code as the calling thread would.
//
// The first message on the port carries the problem (posted once the caller has its full-data fit; the module is
// loaded before, while that fit runs). Each later message asks for the rounds [first, first + count); the reply
// carries their values (count × roundWidth, round-major: θ, then γ with style control) and whether each fit
// converged. A failure posts its error back; the host rejects the call.
import { parentPort, workerData } from "node:worker_threads";

const { createRoundsRunner, roundWidth } = await import(workerData.module);
let runRounds;
let n = 0;

parentPort.on("message", (message) => {
  try {
    if (message.problem !== undefined) {
      runRounds = createRoundsRunner(message.problem);
      n = roundWidth(message.problem);
      return;
    }
    const { first, count } = message;
    const theta = new Float64Array(count * n);
    const converged = new Uint8Array(count);
    runRounds(first, count, theta, converged);
    parentPort.postMessage({ first, count, theta, converged }, [theta.buffer, converged.buffer]);
  } catch (error) {
    parentPort.postMessage({ first: message.first, error });
  }
});
