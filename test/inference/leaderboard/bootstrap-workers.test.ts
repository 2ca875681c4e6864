import { describe, expect, it } from "vitest";
import { LuceError } from "../../../src/errors.js";
import { BootstrapWorkers } from "../../../src/inference/leaderboard/bootstrap.js";
import type { BootstrapProblem } from "../../../src/inference/leaderboard/bootstrap-rounds.js";

describe("BootstrapWorkers", () => {
  // a pair problem without its factor: preparing the rounds throws a TypeError inside the worker
  const broken = {
    kind: "pairs",
    nModels: 2,
    reference: 0,
    battles: Float64Array.of(3, 4),
    weight: Float64Array.of(1, 1),
    outcome: Uint8Array.of(0, 1),
    rowPair: Int32Array.of(0, 0),
    pairFirst: Int32Array.of(0),
    pairSecond: Int32Array.of(1),
    theta: new Float64Array(2),
    seed: 1,
    tolerance: 1e-6,
    maxIterations: 10,
  } as unknown as BootstrapProblem;

  it("rejects with a LuceError whose cause is the worker's error when a round cannot run", async () => {
    const workers = new BootstrapWorkers(2);
    const failure = await workers.run("arenaLeaderboard", broken, 10).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LuceError);
    expect((failure as Error).message).toMatch(/arenaLeaderboard.*worker thread failed/s);
    expect((failure as Error).cause).toBeInstanceOf(Error);
    expect(String((failure as Error).cause)).toMatch(/TypeError/);
  });

  it("closes threads that never ran without a failure, and a run after closing rejects", async () => {
    const workers = new BootstrapWorkers(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    workers.close();
    workers.close();
    await expect(workers.run("arenaLeaderboard", broken, 4)).rejects.toThrow(/closed before the rounds ran/);
  });
});
