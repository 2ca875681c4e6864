/**
 * The one error type luce throws for bad input.
 *
 * Every public function validates its arguments before computing, so a caller
 * gets a `LuceError` naming the function and the argument at fault instead of
 * a silent `NaN`, a hang or a wrong number.
 *
 * @example
 * ```ts
 * import { logSigmoid, LuceError } from "luce";
 * try { logSigmoid(Number.NaN); } catch (e) {
 *   console.log(e instanceof LuceError, (e as LuceError).argument); // true "x"
 * }
 * ```
 */
export class LuceError extends Error {
  /** The public function that rejected its input, e.g. `"plackettLuceLogProbability"`. */
  readonly function: string;
  /** The argument at fault, e.g. `"ranking"` or `"scores[3]"`. */
  readonly argument: string;

  /**
   * @param fn - the public function that rejected its input
   * @param argument - the argument at fault
   * @param problem - what is wrong with it, as a sentence fragment
   */
  constructor(fn: string, argument: string, problem: string) {
    // String(): a Symbol or a null-prototype object in a message must not turn the error into a TypeError
    super(`${safeString(fn)}: argument '${safeString(argument)}' ${safeString(problem)}`);
    this.name = "LuceError";
    this.function = safeString(fn);
    this.argument = safeString(argument);
  }
}

function safeString(x: unknown): string {
  try {
    return typeof x === "string" ? x : String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}
