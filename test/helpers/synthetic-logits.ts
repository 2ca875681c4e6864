/**
 * The model-sized batches of test/fixtures/generate_batch.py, regenerated bit for bit: a 32-bit
 * linear congruential generator (top 24 bits), each logit the float32 rounding of
 * (u₁ + u₂ + u₃)/2²⁴·2 − 3 (exact in float64), the label drawn before its row, and with `peak` the
 * label's logit raised by `peak` (so labels are the argmax).
 */
export function syntheticBatch(seed: number, [batch, length, vocabulary]: readonly number[], peak: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return state >>> 8;
  };
  const logits = new Float32Array(batch * length * vocabulary);
  const labels = new Int32Array(batch * length);
  for (let row = 0; row < batch * length; row++) {
    labels[row] = next() % vocabulary;
    const base = row * vocabulary;
    for (let v = 0; v < vocabulary; v++) logits[base + v] = ((next() + next() + next()) / 2 ** 24) * 2 - 3;
    if (peak !== 0) logits[base + labels[row]] += peak;
  }
  return {
    logits: { data: logits, shape: [batch, length, vocabulary] },
    labels: { data: labels, shape: [batch, length] },
  };
}
