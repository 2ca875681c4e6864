/**
 * TRL's per-token quantities of one logits row from the row directly, in float64, written independently of luce's
 * kernels: the softmax p_v = exp(z_v − lse) with lse = m + log Σ exp(z_v − m), then log p(label), Σ p², the entropy
 * −Σ p log p (the maximum's terms kept apart from the rest, so that a peaked row keeps its digits), whether the first
 * largest logit is the label (torch.argmax), the mean logit and the mean |logit| (the scale of a float32 sum's
 * rounding).
 */
export function referenceRow(row: ArrayLike<number>, label: number) {
  const z = Array.from(row);
  const m = Math.max(...z);
  // the maximum's n terms apart from the rest s, so that log S = log n + log1p(s/n) keeps a peaked row's digits
  const ties = z.filter((x) => x === m).length;
  const rest = z.reduce((s, x) => (x === m ? s : s + Math.exp(x - m)), 0);
  const logS = Math.log(ties) + Math.log1p(rest / ties);
  const p = z.map((x) => Math.exp(x - m - logS));
  // H = −Σ p log p = log S − Σ_{x≠m} e^{x−m}(x − m) / S
  const weighted = z.reduce((s, x) => (x === m || x === -Infinity ? s : s + Math.exp(x - m) * (x - m)), 0);
  return {
    p,
    logp: z[label] - m - logS,
    squares: p.reduce((s, q) => s + q * q, 0),
    entropy: logS - weighted / (ties + rest),
    correct: z.indexOf(m) === label,
    meanLogit: z.reduce((s, x) => s + x, 0) / z.length,
    meanAbsLogit: z.reduce((s, x) => s + Math.abs(x), 0) / z.length,
  };
}

/**
 * TRL's logged metrics and WPO's pair weights of a DPO batch [B, T, V] (chosen rows 0..B/2−1) from its logits, with
 * labels [B, T] scored as dpoBatch scores them by default (the logits at t score labels[t + 1]; `mask`, when given, 0
 * where not scored): the per-sequence WPO log-weight is the mean of log p − log Σ p² over its tokens and a pair's
 * weight the exp of its two sequences' sum (TRL's dpo_trainer.py); the entropy is the mean over every scored token,
 * the accuracy and the mean logit over the chosen half's (the rejected half's for `rejected`).
 */
export function referenceBatch(
  logits: ArrayLike<number>,
  [B, T, V]: readonly number[],
  labels: readonly (readonly number[])[],
  mask?: readonly (readonly number[])[],
) {
  const rows = (b: number, t: number) =>
    referenceRow(
      Array.from({ length: V }, (_, v) => logits[(b * T + t) * V + v]),
      labels[b][t + 1],
    );
  const positions: [number, number][] = [];
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T - 1; t++) if (mask === undefined || mask[b][t + 1] === 1) positions.push([b, t]);
  const logps = new Array<number>(B).fill(0);
  const logWeight = new Array<number>(B).fill(0);
  const counts = new Array<number>(B).fill(0);
  for (const [b, t] of positions) {
    const r = rows(b, t);
    logps[b] += r.logp;
    logWeight[b] += r.logp - Math.log(r.squares);
    counts[b]++;
  }
  const n = B / 2;
  const pairWeights = Array.from({ length: n }, (_, i) =>
    Math.exp(logWeight[i] / counts[i] + logWeight[i + n] / counts[i + n]),
  );
  const chosen = positions.filter(([b]) => b < n);
  const rejected = positions.filter(([b]) => b >= n);
  const mean = (ps: [number, number][], f: (b: number, t: number) => number) =>
    ps.reduce((s, [b, t]) => s + f(b, t), 0) / ps.length;
  return {
    rows,
    logps,
    pairWeights,
    metrics: {
      entropy: mean(positions, (b, t) => rows(b, t).entropy),
      accuracy: mean(chosen, (b, t) => (rows(b, t).correct ? 1 : 0)),
      chosen: mean(chosen, (b, t) => rows(b, t).meanLogit),
      rejected: mean(rejected, (b, t) => rows(b, t).meanLogit),
      chosenScale: mean(chosen, (b, t) => rows(b, t).meanAbsLogit),
      rejectedScale: mean(rejected, (b, t) => rows(b, t).meanAbsLogit),
      tokens: positions.length,
    },
  };
}

/**
 * A DPO batch [2, R + 1, V] of hard rows for the metrics (values float32 holds exactly, so both precisions read the
 * same numbers): a peaked row (one logit 100 above the rest), ties at the maximum in the first and the last block of
 * the kernel, a maximum raised late and tied after it, logits of ±1e4 half and half (V/2 ties), one of 1e4 among
 * −1e4, 1e4·sin v, and a smooth row; the rejected sequence holds them in reverse order. The labels hit the first
 * largest logit on some rows and a later tie, or a smaller logit, on others, keeping every log p moderate (so that
 * WPO's weights neither vanish nor overflow).
 */
export function hardRowsBatch(V: number) {
  const smooth = (v: number, seed: number) => Math.fround(2 * Math.sin(0.7 * v + seed) + Math.cos(1.3 * v));
  const wave = (v: number) => Math.fround(1e4 * Math.sin(v));
  const waveTop = Array.from({ length: V }, (_, v) => wave(v)).reduce(
    (best, x, v, all) => (x > all[best] ? v : best),
    0,
  );
  const last = V - 1;
  const kinds: { row: (v: number) => number; labels: [number, number] }[] = [
    { row: (v) => (v === last ? 100 + smooth(v, 1) : smooth(v, 1)), labels: [last, last] },
    { row: (v) => (v === 1 || v === V - 2 ? 7 : smooth(v, 2)), labels: [V - 2, 1] },
    { row: (v) => (v === Math.floor(V / 2) || v === last ? 6 : smooth(v, 4)), labels: [Math.floor(V / 2), last] },
    { row: (v) => (v % 2 === 0 ? 1e4 : -1e4), labels: [0, 2 % V] },
    { row: (v) => (v === 3 % V ? 1e4 : -1e4), labels: [3 % V, 3 % V] },
    { row: (v) => smooth(v, 5), labels: [2 % V, 0] },
    { row: wave, labels: [waveTop, waveTop] },
  ];
  const R = kinds.length;
  const T = R + 1;
  const data = new Float32Array(2 * T * V);
  const labels = [new Array<number>(T).fill(0), new Array<number>(T).fill(0)];
  for (let r = 0; r < R; r++) {
    const [chosen, rejected] = [kinds[r], kinds[R - 1 - r]];
    for (let v = 0; v < V; v++) {
      data[r * V + v] = chosen.row(v);
      data[(T + r) * V + v] = rejected.row(v);
    }
    labels[0][r + 1] = chosen.labels[0];
    labels[1][r + 1] = rejected.labels[1];
  }
  return { logits: { data, shape: [2, T, V] }, labels };
}
