import type { CertifiedReport } from "../proofs/certify.js";
import type { Certification, PaperReport } from "../proofs/verify.js";
import type { LossesReport } from "../proofs/verify-losses.js";

/** The id column: the longest paper id with its variant, and most loss-statement ids. */
const ID_WIDTH = 16;

const sci = (x: number) => (x === 0 ? "0" : x.toExponential(2));

function line(id: string, c: CertifiedReport): string[] {
  const verdict = c.certified ? `certified ${c.expected}` : `NOT CERTIFIED (${c.expected})`;
  const out = [
    `  ${id.padEnd(ID_WIDTH)} ${verdict.padEnd(22)} ${String(c.instances).padStart(4)} instances  ${c.residual.name}`,
  ];
  out.push(`      exact residual ${c.residual.claim === "≤ 0" ? "(≤ 0)" : "(= 0)"} in ${c.residual.enclosure}`);
  for (const f of c.functions)
    out.push(
      `      ${f.certified ? "ok" : "!!"} ${f.function}: |float64 − exact| in ${f.worstError} ≤ bound ${f.bound} (${sci(f.ratio)} of it, ${f.results} results)`,
    );
  if (c.counterexample !== undefined)
    out.push(`      ${c.certified ? "proof, at the doubles" : "instance"}: ${c.counterexample}`);
  if (c.problem !== undefined) out.push(`      ${c.problem}`);
  return out;
}

/** The section's header, its lines per [id, report], and the overall line. */
function section(entries: readonly [string, CertifiedReport][], c: Certification | undefined): string {
  const out: string[] = [];
  out.push("Certified (60-digit interval enclosures of the exact values at the doubles checked; decimal.js's + − × ÷");
  out.push("as the trusted base): a statement holds when every residual's enclosure lies within 1e-40 of 0 and every");
  out.push("float64 error within its documented bound on every instance; a refutation, when one instance's enclosure");
  out.push("excludes 0");
  out.push("");
  for (const [id, certified] of entries) out.push(...line(id, certified));
  out.push("");
  if (c !== undefined)
    out.push(
      `${c.ok ? "Every verdict certified" : "NOT every verdict certified"}; certification took ${c.seconds.toFixed(1)} s.`,
    );
  return out.join("\n");
}

/**
 * The certified section of `luce verify --certified`: per statement and variant, the certified verdict, the exact
 * residual's enclosure, and each luce function's float64 error enclosure against its bound.
 * @internal
 */
export function renderCertified(report: PaperReport): string {
  const entries: [string, CertifiedReport][] = [];
  for (const s of report.statements) if (s.certified !== undefined) entries.push([s.id, s.certified]);
  for (const v of report.variants)
    for (const r of v.results) if (r.certified !== undefined) entries.push([`${v.id}/${r.id}`, r.certified]);
  return section(entries, report.certification);
}

/**
 * The certified section of `luce verify --losses --certified`: per loss statement, as {@link renderCertified}.
 * @internal
 */
export function renderCertifiedLosses(report: LossesReport): string {
  const entries: [string, CertifiedReport][] = [];
  for (const s of report.statements) if (s.certified !== undefined) entries.push([s.id, s.certified]);
  const out = [section(entries, report.certification), "", "The table of every loss type (statement 8), row by row:"];
  for (const r of report.table)
    if (r.enclosure !== undefined)
      out.push(`  ${r.enclosure.certified ? "ok" : "--"} ${r.lossType} (${r.problem}): ${r.enclosure.detail}`);
  return out.join("\n");
}
