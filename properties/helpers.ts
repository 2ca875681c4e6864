/** Machine epsilon, for the bounds the properties state. */
export const EPS = Number.EPSILON;

/** max |x| over rows, ignoring −Infinity. */
export function size(rows: ArrayLike<number>[]): number {
  let m = 0;
  for (const row of rows)
    for (let i = 0; i < row.length; i++) if (Number.isFinite(row[i])) m = Math.max(m, Math.abs(row[i]));
  return m;
}
