import { LENGTH, VOCABULARY } from "./tiny-transformer.js";

/**
 * A DPO batch for the tiny model: 2 pairs (chosen rows 0–1, rejected rows 2–3) sharing prompts,
 * responses of different lengths, right padding; labels score the responses only.
 */
export function tinyDpoBatch(padId = 0) {
  let state = 2024;
  const token = () => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return (state >>> 8) % VOCABULARY;
  };
  const prompts = [Array.from({ length: 9 }, token), Array.from({ length: 14 }, token)];
  const lengths = [
    [30, 47],
    [21, 64],
  ]; // [pair][chosen, rejected] total lengths
  const rows = [0, 1, 0, 1].map((pair, i) => {
    const total = lengths[pair][i < 2 ? 0 : 1];
    const tokens = [...prompts[pair]];
    while (tokens.length < total) tokens.push(token());
    return { prompt: prompts[pair].length, tokens };
  });
  const inputIds = rows.map(({ tokens }) =>
    Array.from({ length: LENGTH }, (_, t) => (t < tokens.length ? tokens[t] : padId)),
  );
  const attentionMask = rows.map(({ tokens }) => Array.from({ length: LENGTH }, (_, t) => (t < tokens.length ? 1 : 0)));
  const labels = rows.map(({ prompt, tokens }) =>
    Array.from({ length: LENGTH }, (_, t) => (t >= prompt && t < tokens.length ? tokens[t] : -100)),
  );
  return { inputIds, attentionMask, labels };
}
