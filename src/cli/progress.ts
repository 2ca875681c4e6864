/**
 * A progress line on stderr for long commands: rewritten in place (`\r`) on a terminal; in a log
 * or a pipe, where `\r` would pile every update onto one unreadable line, only the first and the
 * last update are written, each as its own line.
 * @internal
 */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let shown = false;
  return {
    /** Reports `done` of `total` steps. */
    update(done: number, total: number): void {
      const text = `  ${label}: ${done}/${total}`;
      if (stream.isTTY) {
        stream.write(`\r${text}`);
        shown = true;
      } else if (!shown || done === total) {
        stream.write(`${text}\n`);
        shown = true;
      }
    },
    /** Ends the line (on a terminal). */
    finish(): void {
      if (stream.isTTY && shown) stream.write("\n");
      shown = false;
    },
  };
}
