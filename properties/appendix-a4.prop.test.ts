// Appendix A.4: the DPO gradient in tabular logits is the derivative of the loss (checked by luce/proofs).
import { expect } from "vitest";
import { test } from "@fast-check/vitest";
import { appendixA4, checkInstance } from "../src/proofs/index.js";

const statement = appendixA4();
test.prop([statement.instances], { numRuns: 25 })(
  "paper's formula = finite differences = forward derivative",
  (instance) => {
    const report = checkInstance(statement, instance);
    expect(report.verdict, `${report.worst.name}: ${report.worst.residual} > ${report.worst.bound}`).toBe("holds");
  },
);
