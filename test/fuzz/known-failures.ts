/**
 * Contract breaks the fuzz suite found that are not fixed yet, each with its reproduction, so the
 * suite passes while they stay listed. Remove an entry when its fix lands (the suite then keeps it fixed).
 */
import type { Path } from "./hostile.js";

/** One known break of the contract. */
export interface KnownFailure {
  /** "module:name" of the export. */
  readonly export: string;
  /** A reproduction a reader can paste. */
  readonly reproduction: string;
  /** What goes wrong. */
  readonly problem: string;
  /** True for the runs this entry accounts for. */
  readonly matches: (path: Path, kind: string, found: string) => boolean;
}

/** The list; each entry is reported in the suite's documentation and the issue. */
export const knownFailures: readonly KnownFailure[] = [];
