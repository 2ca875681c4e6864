// Population DPO: with a connected comparison graph Newton reaches π_r*; without, the minimiser is not unique.
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, populationDpo } from "../src/proofs/index.js";

const connected = populationDpo();
test.prop([connected.instances], { numRuns: 40 })("connected: KL(π_Newton ‖ π_r*) < 1e-10", (instance) => {
  expect(checkInstance(connected, instance).verdict).toBe("holds");
});

test("a start far out on the logistic's tails still reaches π_r*", () => {
  // v₀ − v₁ = 51 against Δ* = −2 (curvature e^-51) and v₁ − v₂ = −6 against Δ* = −4: a full Newton step from the
  // first edge jumps past its minimiser, and a loss of about 51 hides the second edge's changes in its rounding
  const instance = {
    beta: 1,
    reward: [0, 2, 6],
    logReference: [0, 0, 0].map(() => -Math.log(3)),
    graph: { size: 3, edges: [[0, 1, 1] as [number, number, number], [1, 2, 1] as [number, number, number]] },
    start: [43, -8, -2],
  };
  const report = checkInstance(connected, instance);
  expect(report.verdict).toBe("holds");
  expect(report.worst.residual).toBeLessThan(1e-10);
});

test("a step is not lengthened past the edges' minimisers by one edge's shallow slope", () => {
  // the first direction changes v₁ − v₂ by −2 and v₀ − v₁ by 1e−4 per unit: once edge (1, 2) is past its minimiser
  // the loss still falls along it (edge (0, 1) lies on its linear tail), and a step doubled while it falls ends
  // with |v| ≈ 1e5, edge (1, 2) far out on its flat tail
  const instance = {
    beta: 1,
    reward: [-3.651254653930664, -5.989595413208008, 6.142981052398682],
    logReference: [0, 0, 0].map(() => -Math.log(3)),
    graph: {
      size: 3,
      edges: [
        [0, 1, 0.44184030055999757] as [number, number, number],
        [1, 2, 2.083356598615646] as [number, number, number],
      ],
    },
    start: [-43.32387447357178, 45.94776928424835, -21.08863592147827],
  };
  const report = checkInstance(connected, instance);
  expect(report.verdict).toBe("holds");
  expect(report.worst.residual).toBeLessThan(1e-10);
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
