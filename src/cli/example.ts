import { logSigmoid, plackettLuceLogProbability, suffixLogSumExp } from "../index.js";

/**
 * `luce example`: a few values where naive float code fails, computed by luce.
 * @internal
 */
export async function exampleCommand(): Promise<number> {
  const rows: [string, number, string][] = [
    ["logSigmoid(40)", logSigmoid(40), "naive log(1/(1+e^-40)) gives 0"],
    ["logSigmoid(-1e4)", logSigmoid(-1e4), "naive gives -Infinity"],
    ["suffixLogSumExp([0, -120])[0]", suffixLogSumExp([0, -120])[0], "float32 ListMLE gives 97"],
    ["plackettLuceLogProbability([1000, 880], [0, 1])", plackettLuceLogProbability([1000, 880], [0, 1]), "s - logsumexp gives 0"],
  ];
  for (const [what, value, naive] of rows) console.log(`${what.padEnd(48)} ${String(value).padEnd(24)} (${naive})`);
  return 0;
}
