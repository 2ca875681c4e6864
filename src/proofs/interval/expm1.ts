import { add, div, mul } from "./arithmetic.js";
import { expLower, expUpper } from "./exp.js";
import { fromConstant, type Interval } from "./interval.js";
import { Down, Exact, GuardDown, GuardUp, Up, WORKING_DIGITS } from "./rounding.js";

/** Below this |v|, e^v − 1 comes from its series: e^v at the guarded precision would lose v's digits in − 1. */
const SERIES_BELOW = new Exact("1e-10");

/** Degree of the series: the first omitted term |v|^9/9! is below 1e−80·|v| for |v| < 1e−10. */
const SERIES_DEGREE = 8;

/** e^v − 1 for one endpoint v, |v| < 1e−10: v + v²/2 + … + v^n/n!, then the remainder 2|v|^{n+1}/(n + 1)!. */
function expm1Series(v: Interval): Interval {
  // Horner: v(1 + v/2(1 + v/3(… (1 + v/n))))
  let s = fromConstant(1);
  for (let i = SERIES_DEGREE; i >= 2; i--) s = add(fromConstant(1), div(mul(v, s), fromConstant(i)));
  s = mul(v, s);
  let remainder = new Up(2);
  const big = Up.max(v.lo.abs(), v.hi.abs());
  for (let i = 1; i <= SERIES_DEGREE + 1; i++) remainder = Up.mul(remainder, Up.div(big, i));
  return { lo: Down.sub(s.lo, remainder), hi: Up.add(s.hi, remainder) };
}

/**
 * e^a − 1 for an interval a, keeping a's digits when |a| is tiny (series below 1e−10, else e^a at the guarded
 * precision minus 1). Increasing, so its bounds come from the endpoints.
 *
 * @param a - the argument, |a| ≤ 1e15 or −∞
 * @returns an interval containing e^x − 1 for every x in a
 */
export function expm1(a: Interval): Interval {
  if (a.lo.abs().lt(SERIES_BELOW) && a.hi.abs().lt(SERIES_BELOW)) return expm1Series(a);
  return {
    lo: new Down(GuardDown.sub(expLower(a.lo), 1)).toSD(WORKING_DIGITS),
    hi: new Up(GuardUp.sub(expUpper(a.hi), 1)).toSD(WORKING_DIGITS),
  };
}
