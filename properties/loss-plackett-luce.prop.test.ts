// Statement 1, listwise: Plackett–Luce DPO on PL(r*) rankings recovers π_r*.
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { checkInstance, lossPlackettLuce } from "../src/proofs/index.js";

const statement = lossPlackettLuce();
test.prop([statement.instances], { numRuns: 5 })("PL(r*) rankings: the listwise DPO optimum is π_r*", (instance) => {
  expect(checkInstance(statement, instance).verdict).toBe("holds");
});
