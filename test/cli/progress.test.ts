import { describe, expect, it } from "vitest";
import { progressLine } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe("progressLine", () => {
  it("rewrites one line in place on a terminal", () => {
    const { stream, writes } = fakeStream(true);
    const progress = progressLine("steps", stream);
    for (let i = 1; i <= 3; i++) progress.update(i, 3);
    progress.finish();
    expect(writes).toEqual(["\r  steps: 1/3", "\r  steps: 2/3", "\r  steps: 3/3", "\n"]);
  });
  it("writes only the first and last update, each on its own line, in a log or a pipe (no \\r)", () => {
    const { stream, writes } = fakeStream(false);
    const progress = progressLine("steps", stream);
    for (let i = 1; i <= 24; i++) progress.update(i, 24);
    progress.finish();
    expect(writes).toEqual(["  steps: 1/24\n", "  steps: 24/24\n"]);
    expect(writes.join("")).not.toContain("\r");
  });
});
