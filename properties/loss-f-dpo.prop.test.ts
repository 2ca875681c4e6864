// Statement 7: f-DPO's population optimum is the f-regularised optimal policy.
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, lossFDpo } from "../src/proofs/index.js";

const statement = lossFDpo();
test.prop([statement.instances], { numRuns: 10 })("f-DPO's optimum is the f-regularised optimal policy", (instance) => {
  expect(checkInstance(statement, instance).verdict).toBe("holds");
});
