import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_LINE_LENGTH, readPreferenceFile } from "../../src/cli/read-preferences.js";
import { createRandom, fitBradleyTerry, type Comparison } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

const dir = mkdtempSync(join(tmpdir(), "luce-read-"));
const bin = fileURLToPath(new URL("../../bin/luce.js", import.meta.url));
const luce = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });

/** The size of the pieces the reader takes from the file (a 1 MiB read). */
const CHUNK = 1 << 20;

/** Random comparisons among `items` named items, as rows and as the tuples they stand for. */
function randomGames(rows: number, items: number, seed: number): { names: string[]; tuples: Comparison[] } {
  const random = createRandom(seed);
  const names = Array.from({ length: items }, (_, i) => `item${String(i).padStart(4, "0")}`);
  const tuples: Comparison[] = [];
  for (let r = 0; r < rows; r++) {
    const a = Math.floor(random() * items);
    const b = (a + 1 + Math.floor(random() * (items - 1))) % items;
    tuples.push([a, b, 1 + Math.floor(random() * 3)]);
  }
  return { names, tuples };
}

describe("readPreferenceFile streams a file into columns", () => {
  it("reads a file of several 1 MiB pieces row for row, with \\r\\n split across a piece boundary", async () => {
    const { names, tuples } = randomGames(150_000, 300, 7);
    const rowText = ([w, l, c]: Comparison) => `${names[w]},${names[l]},${c}\r\n`;
    const rowLength = rowText(tuples[0]).length; // every row has the same length
    // pad the header so that some row's \r is the last byte of the first piece and its \n the first of the next
    const firstCr = CHUNK - 1; // the offset of that \r
    const k = Math.floor((firstCr - (rowLength - 2) - 64) / rowLength); // rows before it, leaving a short header
    const headerLength = firstCr - (rowLength - 2) - k * rowLength;
    const header = "winner,loser,count".padEnd(headerLength - 2, " ") + "\r\n";
    expect(header.length + k * rowLength + rowLength - 2).toBe(CHUNK - 1);
    const path = join(dir, "games.data");
    writeFileSync(path, header + tuples.map(rowText).join(""));

    const data = await readPreferenceFile("test", path);
    expect(data.columns?.winners.length).toBe(tuples.length);
    // line numbers count \r\n once, even split across pieces
    const broken = join(dir, "broken.data");
    writeFileSync(broken, header + tuples.map(rowText).join("") + "only-one-field\r\n");
    await expect(readPreferenceFile("test", broken)).rejects.toThrow(`'line ${tuples.length + 2}' has 1 fields`);
    // indices are in order of first appearance; map the file's names back to the generator's
    const generatorIndex = data.items.map((name) => names.indexOf(name));
    tuples.forEach(([w, l, c], i) => {
      if (
        generatorIndex[data.columns!.winners[i]] !== w ||
        generatorIndex[data.columns!.losers[i]] !== l ||
        data.columns!.counts[i] !== c
      )
        expect.fail(`row ${i + 2} read wrongly`);
    });
  });

  it("reads lone-\\r line endings and a byte-order mark", async () => {
    const path = join(dir, "mac.jsonl");
    writeFileSync(path, '\uFEFF["a", "b", "c"]\r\r["c", "b"]\r');
    const data = await readPreferenceFile("test", path);
    expect(data.items).toEqual(["a", "b", "c"]);
    expect(data.observations).toEqual([
      [0, 1, 2],
      [2, 1],
    ]);
  });

  it("refuses a line longer than the limit instead of holding it", async () => {
    const path = join(dir, "one-line.csv");
    writeFileSync(path, "winner,loser\n" + "x".repeat(MAX_LINE_LENGTH + 10));
    await expect(readPreferenceFile("test", path)).rejects.toThrow("'line 2' is longer than");
  });

  it("refuses an empty file naming it", async () => {
    const path = join(dir, "empty.csv");
    writeFileSync(path, "\n\n");
    await expect(readPreferenceFile("test", path)).rejects.toThrow("is empty");
  });
});

describe("luce fit reads the format from the content", () => {
  it("a CSV named .txt is fitted as CSV, equal to the library's fit of the same comparisons", () => {
    const { names, tuples } = randomGames(20_000, 40, 3);
    const path = join(dir, "games.txt");
    writeFileSync(path, "winner,loser,count\n" + tuples.map(([w, l, c]) => `${names[w]},${names[l]},${c}\n`).join(""));
    const r = luce("fit", path, "--json", "--reference", names[0]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { items: { name: string; logStrength: number }[] };
    const fit = fitBradleyTerry(tuples, { reference: 0, nItems: names.length });
    for (const item of out.items) {
      // both are Newton's answer to 1e-12 on the same data, summed in a different order
      expectClose(item.logStrength, fit.logStrength[names.indexOf(item.name)], { abs: 1e-9 }, item.name);
    }
  });
  it("reads a pipe: luce fit /dev/stdin", () => {
    // a shell pipe is a FIFO (Node's own stdio pipes are sockets, which /dev/stdin cannot open)
    const data = join(dir, "piped.csv");
    writeFileSync(data, "winner,loser\na,b\nb,a\nb,c\nc,b\n");
    const r = spawnSync("sh", ["-c", 'cat "$1" | "$2" "$3" fit /dev/stdin --json', "sh", data, process.execPath, bin], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { items: unknown[] }).items).toHaveLength(3);
    expect(luce("fit", "/dev/null").stderr).toContain("is not a regular file");
  });
  it("JSON Lines with a byte-order mark and any name; --format forces a format", () => {
    const path = join(dir, "rankings.data");
    writeFileSync(path, '\uFEFF{"ranking": ["a", "b", "c"]}\n{"ranking": ["b", "a"]}\n["c", "a"]\n');
    const r = luce("fit", path, "--json");
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { model: string }).model).toBe("plackett-luce");
    const forced = luce("fit", path, "--format", "csv");
    expect(forced.status).toBe(2);
    expect(forced.stderr).toContain("'line 1' must be a header naming the columns winner and loser");
  });
});
