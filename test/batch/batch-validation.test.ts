import { describe, expect, it } from "vitest";
import { dpoBatch, plackettLuceDpoBatch, sequenceLogProbs, sequenceTokenLogProbs } from "../../src/batch/index.js";
import { LuceError } from "../../src/errors.js";
import { expectClose } from "../helpers/close.js";

const [B, T, V] = [2, 3, 5];
const data = Float32Array.from({ length: B * T * V }, (_, i) => Math.sin(i));
const logits = { data, shape: [B, T, V] };
const labels = [
  [0, 1, 2],
  [3, 4, 1],
];

/** Σ over scored positions of log softmax(logits[b, t])[labels[b, t + 1]], by direct float64 summation. */
function bruteForce(mask: number[][]): number[] {
  return Array.from({ length: B }, (_, b) => {
    let sum = 0;
    for (let t = 0; t + 1 < T; t++) {
      if (mask[b][t + 1] === 0) continue;
      const row = Array.from(data.subarray((b * T + t) * V, (b * T + t + 1) * V));
      const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
      sum += row[labels[b][t + 1]] - lse;
    }
    return sum;
  });
}

/** The LuceError a promise rejects with; fails the test on anything else. */
async function rejection(p: Promise<unknown>): Promise<LuceError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "expected a LuceError").toBeInstanceOf(LuceError);
  return error as LuceError;
}

describe("masks", () => {
  const rowZeroMasked = [
    [0, 0, 0],
    [1, 1, 1],
  ];
  it("an int64 mask (BigInt64Array, as ONNX Runtime and tokenizers give attention_mask) masks like an Int32Array", async () => {
    const want = bruteForce(rowZeroMasked);
    expect(want[0]).toBe(0);
    for (const maskData of [new Int32Array([0, 0, 0, 1, 1, 1]), new BigInt64Array([0n, 0n, 0n, 1n, 1n, 1n])]) {
      const got = await sequenceLogProbs(logits, labels, {
        mask: { data: maskData, shape: [2, 3] },
        precision: "float64",
      });
      got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-13, abs: 1e-15 }, `${maskData.constructor.name} ${b}`));
    }
    const ort = { data: new BigInt64Array([0n, 0n, 0n, 1n, 1n, 1n]), dims: [2, 3], type: "int64" };
    expect((await sequenceLogProbs(logits, labels, { mask: ort as never }))[0]).toBe(0);
  });
  it("boolean masks are read as 1 and 0", async () => {
    const got = await sequenceLogProbs(logits, labels, {
      mask: [
        [false, false, false],
        [true, true, true],
      ] as never,
      precision: "float64",
    });
    const want = bruteForce(rowZeroMasked);
    got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-13, abs: 1e-15 }));
  });
  it("mask entries other than 0 and 1 are errors naming the entry (they used to mean 'score it')", async () => {
    for (const bad of [0.5, -1, 2, NaN, null, "0", {}, Symbol("m"), 2n]) {
      const mask = [
        [1, bad, 1],
        [1, 1, 1],
      ];
      const error = await rejection(sequenceLogProbs(logits, labels, { mask: mask as never }));
      expect([error.function, error.argument]).toEqual(["sequenceLogProbs", "options.mask[0][1]"]);
    }
  });
});

describe("labels", () => {
  it("int64 labels (BigInt64Array) are converted and give the same log-probs", async () => {
    const ids = { data: new BigInt64Array([0n, 1n, 2n, 3n, 4n, 1n]), shape: [2, 3] };
    const got = await sequenceLogProbs(logits, ids, { precision: "float64" });
    const want = bruteForce([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-13 }));
  });
  it("int64 labels out of range or beyond the safe integers are errors naming the entry", async () => {
    const huge = { data: new BigInt64Array([0n, 1n, 2n ** 60n, 3n, 4n, 1n]), shape: [2, 3] };
    expect((await rejection(sequenceLogProbs(logits, huge))).argument).toBe("labels[0][2]");
    const negative = { data: new BigInt64Array([0n, 1n, 2n, 3n, -7n, 1n]), shape: [2, 3] };
    expect((await rejection(sequenceLogProbs(logits, negative))).argument).toBe("labels[1][1]");
  });
  it("nested labels with a hole (a missing row or entry) are errors naming it, not a TypeError", async () => {
    const missingRow: unknown[] = [
      [0, 1, 2],
      [3, 4, 1],
    ];
    delete missingRow[1];
    const rowError = await rejection(sequenceLogProbs(logits, missingRow as number[][]));
    expect([rowError.argument, rowError.message]).toEqual(["labels[1]", expect.stringContaining("must be an array")]);
    const missingEntry: unknown[] = [3, 4, 1];
    delete missingEntry[1];
    const entryError = await rejection(sequenceLogProbs(logits, [[0, 1, 2], missingEntry as number[]]));
    expect(entryError.argument).toBe("labels[1][1]");
  });
  it("labels that are never scored (position 0 under the shift, masked positions) are validated too", async () => {
    const firstColumn = [
      [99, 1, 2],
      [3, 4, 1],
    ];
    expect((await rejection(sequenceLogProbs(logits, firstColumn))).argument).toBe("labels[0][0]");
    const masked = [
      [0, 1, "2"],
      [3, 4, 1],
    ];
    const mask = [
      [1, 1, 0],
      [1, 1, 1],
    ];
    expect((await rejection(sequenceLogProbs(logits, masked as never, { mask }))).argument).toBe("labels[0][2]");
    // ignoreIndex stays valid anywhere
    const ignored = [
      [-100, 1, -100],
      [3, 4, 1],
    ];
    expect((await sequenceLogProbs(logits, ignored)).length).toBe(2);
  });
});

describe("logits", () => {
  it("int64, int8 and plain-array logits are refused by name, not converted or thrown as TypeError", async () => {
    for (const bad of [
      new BigInt64Array(30),
      new Int8Array(30),
      Array.from({ length: 30 }, () => "1"),
      new Array(30).fill(0),
    ]) {
      const error = await rejection(sequenceLogProbs({ data: bad as never, shape: [2, 3, 5] }, labels));
      expect([error.function, error.argument]).toEqual(["sequenceLogProbs", "logits.data"]);
    }
    const ort = { data: new BigInt64Array(30), dims: [2, 3, 5], type: "int64" };
    const error = await rejection(sequenceLogProbs(ort as never, labels));
    expect(error.message).toContain("BigInt64Array");
  });
  it("null fields are LuceErrors naming the field", async () => {
    expect((await rejection(sequenceLogProbs({ data: null, shape: [2, 3, 5] } as never, labels))).argument).toBe(
      "logits.data",
    );
    expect((await rejection(sequenceLogProbs({ data: undefined, shape: [2, 3, 5] } as never, labels))).argument).toBe(
      "logits.data",
    );
    const stride = await rejection(sequenceLogProbs({ data, shape: [2, 3, 5], stride: null } as never, labels));
    expect(stride.argument).toBe("logits.stride");
    const offset = await rejection(sequenceLogProbs({ data, shape: [2, 3, 5], offset: null } as never, labels));
    expect(offset.argument).toBe("logits.offset");
    const shape = await rejection(sequenceLogProbs({ data, shape: null } as never, labels));
    expect(shape.argument).toBe("logits.shape");
  });
  it("shapes and strides whose length lies are refused before they are copied", async () => {
    const shape = await rejection(sequenceLogProbs({ data, shape: { length: 4e9 } } as never, labels));
    expect(shape.argument).toBe("logits.shape");
    const stride = await rejection(
      sequenceLogProbs({ data, shape: [2, 3, 5], stride: { length: 2 ** 32 - 1 } } as never, labels),
    );
    expect(stride.argument).toBe("logits.stride");
  });
  it("a shape whose elements cannot be indexed names the shape, not a stride the caller never gave", async () => {
    const error = await rejection(sequenceLogProbs({ data, shape: [0, 2 ** 52, 5] }, []));
    expect(error.argument).toBe("logits.shape");
  });
  it("shape entries that are Symbols or deeply nested arrays give a message, not a TypeError or stack overflow", async () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    for (const entry of [Symbol("d"), deep, 2n]) {
      const error = await rejection(sequenceLogProbs({ data, shape: [2, entry, 5] } as never, labels));
      expect(error.argument).toBe("logits.shape");
      expect(error.message.length).toBeLessThan(200);
    }
  });
  it("a view whose data getter answers differently on a second read is read once (no NaN)", async () => {
    let reads = 0;
    const view = {
      shape: [2, 3, 5],
      get data() {
        return reads++ === 0 ? data : data.subarray(0, 10);
      },
    };
    const got = await sequenceLogProbs(view, labels, { precision: "float64" });
    const want = bruteForce([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    got.forEach((v, b) => expectClose(v, want[b], { rel: 1e-13 }));
    expect(reads).toBe(1);
  });
});

describe("options", () => {
  it("truthy and falsy stand-ins for booleans are errors (shift: 'no' used to mean true)", async () => {
    for (const [key, value] of [
      ["shift", "no"],
      ["shift", 0],
      ["average", "yes"],
      ["perToken", 1],
    ] as const) {
      const error = await rejection(sequenceLogProbs(logits, labels, { [key]: value } as never));
      expect([error.function, error.argument]).toEqual(["sequenceLogProbs", `options.${key}`]);
    }
    const dpo = await rejection(
      dpoBatch({ policyLogits: logits, referenceLogps: [-1, -1], labels }, { beta: 0.1, shift: "no" } as never),
    );
    expect([dpo.function, dpo.argument]).toEqual(["dpoBatch", "options.shift"]);
    const gradient = await rejection(
      dpoBatch({ policyLogits: logits, referenceLogps: [-1, -1], labels }, { beta: 0.1, gradient: 0 } as never),
    );
    expect(gradient.argument).toBe("options.gradient");
  });
  it("unknown option keys are errors listing the known ones, in every batch function", async () => {
    const typo = await rejection(sequenceLogProbs(logits, labels, { shfit: false } as never));
    expect([typo.function, typo.argument]).toEqual(["sequenceLogProbs", "options.shfit"]);
    expect(typo.message).toContain("known: mask, ignoreIndex, shift");
    const token = await rejection(sequenceTokenLogProbs(logits, labels, { perToken: true } as never));
    expect([token.function, token.argument]).toEqual(["sequenceTokenLogProbs", "options.perToken"]);
    const dpo = await rejection(
      dpoBatch({ policyLogits: logits, referenceLogps: [-1, -1], labels }, { beta: 0.1, lossTyp: "ipo" } as never),
    );
    expect([dpo.function, dpo.argument]).toEqual(["dpoBatch", "options.lossTyp"]);
    const pl = await rejection(
      plackettLuceDpoBatch(
        { policyLogits: logits, referenceLogps: [-1, -1], labels, responses: 2, rankings: [[0, 1]] },
        { beta: 0.1, lossType: "ipo" } as never,
      ),
    );
    expect([pl.function, pl.argument]).toEqual(["plackettLuceDpoBatch", "options.lossType"]);
  });
  it("ignoreIndex, threads, precision and backend are type-checked", async () => {
    for (const [key, value] of [
      ["ignoreIndex", "x"],
      ["ignoreIndex", 1.5],
      ["threads", 0],
      ["threads", 2 ** 40],
      ["precision", "float16"],
      ["backend", Symbol("gpu")],
    ] as const) {
      const error = await rejection(sequenceLogProbs(logits, labels, { [key]: value } as never));
      expect(error.argument).toBe(`options.${key}`);
    }
  });
});

describe("the batch losses' inputs and errors", () => {
  const inputs = { policyLogits: logits, referenceLogps: [-1, -2], labels };
  it("referenceLogps entries that are not finite log-probabilities are refused, not coerced", async () => {
    for (const bad of [null, "", true, [], "1", NaN, -Infinity, 0.5, 2n]) {
      const error = await rejection(dpoBatch({ ...inputs, referenceLogps: [-1, bad] as never }, { beta: 0.1 }));
      expect([error.function, error.argument]).toEqual(["dpoBatch", "inputs.referenceLogps[1]"]);
      const pl = await rejection(
        plackettLuceDpoBatch(
          { ...inputs, referenceLogps: [bad, -1] as never, responses: 2, rankings: [[0, 1]] },
          { beta: 0.1 },
        ),
      );
      expect([pl.function, pl.argument]).toEqual(["plackettLuceDpoBatch", "inputs.referenceLogps[0]"]);
    }
  });
  it("errors of the loss name the batch function and the caller's arguments", async () => {
    const beta = await rejection(dpoBatch(inputs, { beta: -1 }));
    expect([beta.function, beta.argument]).toEqual(["dpoBatch", "options.beta"]);
    const smoothing = await rejection(dpoBatch(inputs, { beta: 0.1, labelSmoothing: 2 }));
    expect(smoothing.function).toBe("dpoBatch");
    const ranking = await rejection(
      plackettLuceDpoBatch({ ...inputs, responses: 2, rankings: [[0, 0]] }, { beta: 0.1 }),
    );
    expect([ranking.function, ranking.argument]).toEqual(["plackettLuceDpoBatch", "inputs.rankings[0][1]"]);
  });
  it("shape, label and row errors name the caller's arguments (inputs.policyLogits, inputs.labels, …)", async () => {
    const nan = { data: data.slice(), shape: [B, T, V] };
    nan.data[1] = Number.NaN; // logits[0][0][1]: a row the scan names
    const row = await rejection(dpoBatch({ ...inputs, policyLogits: nan }, { beta: 0.1 }));
    expect([row.function, row.argument]).toEqual(["dpoBatch", "inputs.policyLogits[0][0][1]"]);
    const reference = await rejection(dpoBatch({ policyLogits: logits, referenceLogits: nan, labels }, { beta: 0.1 }));
    expect([reference.function, reference.argument]).toEqual(["dpoBatch", "inputs.referenceLogits[0][0][1]"]);
    const label = await rejection(dpoBatch({ ...inputs, labels: labels.map((r) => r.map(() => V)) }, { beta: 0.1 }));
    expect(label.function).toBe("dpoBatch");
    expect(label.argument.startsWith("inputs.labels[")).toBe(true);
    const shape = await rejection(dpoBatch({ ...inputs, policyLogits: { data, shape: [B, T] } }, { beta: 0.1 }));
    expect(shape.argument.startsWith("inputs.policyLogits")).toBe(true);
  });
  it("a −Infinity label logit names the policy logits, not an argument of dpoLoss the caller never passed", async () => {
    const masked = { data: data.slice(), shape: [B, T, V] };
    masked.data[labels[0][1]] = -Infinity; // logits[0][0] scores labels[0][1]
    const error = await rejection(dpoBatch({ ...inputs, policyLogits: masked }, { beta: 0.1 }));
    expect([error.function, error.argument]).toEqual(["dpoBatch", "inputs.policyLogits"]);
    expect(error.message).toContain("sequence 0");
    const reference = await rejection(
      dpoBatch({ policyLogits: logits, referenceLogits: masked, labels }, { beta: 0.1 }),
    );
    expect(reference.argument).toBe("inputs.referenceLogits");
  });
  it("a sequence with no scored token under ipo names the caller's labels, not dpoLoss's lengths", async () => {
    const unscored = [
      [0, -100, -100],
      [3, 4, 1],
    ];
    const error = await rejection(dpoBatch({ ...inputs, labels: unscored }, { beta: 0.1, lossType: "ipo" }));
    expect([error.function, error.argument]).toEqual(["dpoBatch", "inputs.labels[0]"]);
  });
  it("responses must be an integer of at least 2; both reference forms at once are refused", async () => {
    for (const responses of [1, 2.5, "2", null]) {
      const error = await rejection(
        plackettLuceDpoBatch({ ...inputs, responses: responses as never, rankings: [[0, 1]] }, { beta: 0.1 }),
      );
      expect(error.argument).toBe("inputs.responses");
    }
    const both = await rejection(dpoBatch({ ...inputs, referenceLogits: logits }, { beta: 0.1 }));
    expect(both.argument).toBe("inputs.referenceLogps");
  });
});
