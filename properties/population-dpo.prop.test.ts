// Population DPO: with a connected comparison graph Newton reaches π_r*; without, the minimiser is not unique.
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, populationDpo } from "../src/proofs/index.js";

const connected = populationDpo();
test.prop([connected.instances], { numRuns: 40 })("connected: KL(π_Newton ‖ π_r*) < 1e-10", (instance) => {
  expect(checkInstance(connected, instance).verdict).toBe("holds");
});

test("disconnected: two uncompared responses keep Newton's starting gap", () => {
  const disconnected = populationDpo({ connectedGraph: false });
  const instance = {
    beta: 1,
    reward: [0, 0],
    logReference: [-Math.LN2, -Math.LN2],
    graph: { size: 2, edges: [] as [number, number, number][] },
    start: [0, 1],
  };
  const report = checkInstance(disconnected, instance);
  expect(report.verdict).toBe("refuted");
  // π = (1, e)/(1 + e) against the uniform π_r*: KL = log 2 − log(1 + e) + e/(1 + e)
  const e = Math.E;
  expect(report.worst.residual).toBeCloseTo(Math.LN2 - Math.log(1 + e) + e / (1 + e), 14);
});
