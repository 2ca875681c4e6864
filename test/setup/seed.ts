// Property-test seeds: LUCE_SEED fixes one (CI sets it); otherwise a fresh seed per run.
// fast-check prints the seed and the shrunk counterexample in every failure message, and the
// seed is printed here too so a failing run can be replayed with LUCE_SEED=<seed> npm test.
import fc from "fast-check";
import { beforeEach } from "vitest";

const fromEnv = process.env.LUCE_SEED;
const seed =
  fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
if (!Number.isInteger(seed)) throw new Error(`LUCE_SEED must be an integer, got '${fromEnv}'`);
fc.configureGlobal({ seed, numRuns: Number(process.env.LUCE_RUNS ?? 100) });

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`property tests ran with LUCE_SEED=${seed}; rerun with that value to replay`));
});
