import { LuceError } from "../errors.js";
import { NeumaierSum } from "../numerics/sum.js";
import { copyArrayLike, describe, requireFinite } from "../validation/checks.js";

/**
 * One term of a loss mixture, as `dpoLoss` reports it: the unweighted per-pair losses of one loss type and
 * their mean; the mixture's loss is Σ weight · loss over its components (TRL's `loss_type` list with
 * `loss_weights`, e.g. MPO's sigmoid + bco_pair + sft of Wang et al. 2024).
 */
export interface DpoLossComponent<LossType extends string = string> {
  /** The loss type (an alias such as `aot_pair` resolved to its current name). */
  readonly lossType: LossType;
  /** Its weight in the mixture (1 unless `lossWeights` says otherwise). */
  readonly weight: number;
  /** Its per-pair losses, unweighted; for `sft` every entry is the batch's token-mean NLL, as TRL expands it. */
  readonly losses: Float64Array;
  /** The mean of `losses`: this term's contribution to the mixture's loss before its weight. */
  readonly loss: number;
}

/**
 * The loss types and weights of a mixture: `lossType` one name or a non-empty list of names (each checked by
 * `resolve`, which names the bad entry), `lossWeights` absent (every weight 1, as TRL) or one finite weight
 * ≥ 0 per name. Both are read once into copies.
 * @internal
 */
export function mixtureOf<LossType extends string>(
  fn: string,
  lossType: unknown,
  lossWeights: unknown,
  resolve: (name: string, value: unknown) => LossType,
): { lossType: LossType; weight: number }[] {
  const single = lossType === undefined || typeof lossType === "string";
  const names = single ? [lossType] : copyArrayLike(fn, "options.lossType", lossType);
  if (names.length === 0) throw new LuceError(fn, "options.lossType", "is an empty list: give at least one loss type");
  const types = names.map((name, k) => resolve(single ? "options.lossType" : `options.lossType[${k}]`, name));
  if (lossWeights === undefined) return types.map((t) => ({ lossType: t, weight: 1 }));
  const weights = copyArrayLike(fn, "options.lossWeights", lossWeights);
  if (weights.length !== types.length)
    throw new LuceError(
      fn,
      "options.lossWeights",
      `has ${weights.length} weights for ${types.length} loss types: give one weight per entry of options.lossType`,
    );
  return types.map((t, k) => {
    const weight = requireFinite(fn, `options.lossWeights[${k}]`, weights[k]);
    if (weight < 0) throw new LuceError(fn, `options.lossWeights[${k}]`, `must be >= 0, got ${describe(weight)}`);
    return { lossType: t, weight };
  });
}

/**
 * TRL's `sft` term: the chosen responses' token-level negative log-likelihood averaged over all chosen tokens
 * of the batch, −Σ_i log π_θ(y_w,i) / Σ_i |y_w,i| (TRL's `cross_entropy` over the masked chosen tokens), written
 * into every entry of `losses` so that their mean is the term, as TRL expands it. `gradChosen` receives
 * ∂(Σ_j losses[j]) / ∂ log π_θ(y_w,i) = −n / Σ_i |y_w,i|.
 * @internal
 */
export function sftLosses(
  policyChosenLogps: Float64Array,
  chosenLengths: Float64Array,
  losses: Float64Array,
  gradChosen: Float64Array,
): void {
  const n = policyChosenLogps.length;
  const logps = new NeumaierSum();
  const tokens = new NeumaierSum();
  for (let i = 0; i < n; i++) {
    logps.add(policyChosenLogps[i]);
    tokens.add(chosenLengths[i]);
  }
  const total = tokens.value();
  losses.fill(-logps.value() / total);
  gradChosen.fill(-n / total);
}

/** The mean of per-pair losses, a compensated sum over n. @internal */
export function meanOf(losses: Float64Array): number {
  const sum = new NeumaierSum();
  for (const x of losses) sum.add(x);
  return sum.value() / losses.length;
}
