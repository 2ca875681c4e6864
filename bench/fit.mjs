// Fitting benchmark: luce against choix's recorded ILSR time on the same data
// (test/fixtures/choix, run on a 2-core machine of this kind; choix cannot be installed here),
// and on data twice that size sampled from choix's estimate with luce's seeded sampler.
// Times are the median of 7 warm runs in this process, estimates only (as choix), then with
// standard errors (the default); the ratio is choix's time over luce's with standard errors. Last, 1000
// items and 100,000 comparisons sampled from known strengths, where choix's time was not recorded: its
// ratio is against choix's time on the 500-item data, which ILSR on twice the items and data does not
// undercut. Run: npm run bench
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fitBradleyTerry, fitPlackettLuce, samplePlackettLuce, createRandom } from "../dist/index.js";

const load = (name) =>
  JSON.parse(readFileSync(new URL(`../test/fixtures/choix/${name}.json`, import.meta.url), "utf8"));

function median(run, repeats = 7) {
  run(); // warm-up (JIT)
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[repeats >> 1] / 1000;
}

/** Resample data of the same shape from the estimate, doubled. */
function doubled(data, estimate, pairwise) {
  const random = createRandom(2024);
  const out = [...data];
  for (const row of data) {
    const items = pairwise ? row.slice(0, 2) : row;
    const order = samplePlackettLuce(
      items.map((i) => estimate[i]),
      { random },
    );
    out.push(Array.from(order, (k) => items[k]));
  }
  return out;
}

console.log(`luce fitting benchmark (${cpus().length} cores, Node ${process.version})`);
console.log(
  "data                      size      luce s   luce+SE s  choix s (recorded)  ratio (+SE)  max |Δθ| vs choix",
);
for (const [name, fit, key, pairwise] of [
  ["Bradley–Terry (pairwise)", fitBradleyTerry, "comparisons", true],
  ["Plackett–Luce (rankings)", fitPlackettLuce, "rankings", false],
]) {
  const d = load(key === "comparisons" ? "pairwise" : "rankings");
  const data = d[key];
  const est = fit(data, { standardErrors: false });
  const err = Math.max(...d.estimate.map((e, i) => Math.abs(e - est.logStrength[i])));
  const t = median(() => fit(data, { standardErrors: false }));
  const tSe = median(() => fit(data, { standardErrors: true }));
  const ratio = d.choixSeconds / tSe;
  console.log(
    `${name.padEnd(25)} ${String(data.length).padEnd(9)} ${t.toFixed(4).padEnd(8)} ${tSe.toFixed(4).padEnd(10)} ${d.choixSeconds.toFixed(4).padEnd(19)} ${ratio.toFixed(1).padStart(5)}x       ${err.toExponential(1)}`,
  );
  const big = doubled(data, d.estimate, pairwise);
  const t2 = median(() => fit(big, { standardErrors: false }));
  console.log(
    `${(name + " ×2").padEnd(25)} ${String(big.length).padEnd(9)} ${t2.toFixed(4).padEnd(8)} ${"".padEnd(10)} ${d.choixSeconds.toFixed(4).padEnd(19)} ${(d.choixSeconds / t2).toFixed(1).padStart(5)}x  (vs choix's time on the original; ${((2 * d.choixSeconds) / t2).toFixed(1)}x vs twice it)`,
  );
}

{
  const nItems = 1000;
  const nComparisons = 100_000;
  const random = createRandom(7);
  const strength = Float64Array.from({ length: nItems }, () => 2 * (random() + random() + random() - 1.5));
  const winners = new Int32Array(nComparisons);
  const losers = new Int32Array(nComparisons);
  for (let c = 0; c < nComparisons; c++) {
    const i = Math.floor(random() * nItems);
    let j = Math.floor(random() * (nItems - 1));
    if (j >= i) j++;
    const iWins = random() < 1 / (1 + Math.exp(strength[j] - strength[i]));
    winners[c] = iWins ? i : j;
    losers[c] = iWins ? j : i;
  }
  const data = { winners, losers };
  const t = median(() => fitBradleyTerry(data, { nItems, standardErrors: false }));
  const tSe = median(() => fitBradleyTerry(data, { nItems }));
  const choixSeconds = load("pairwise").choixSeconds;
  console.log(
    `${"Bradley–Terry, 1000 items".padEnd(25)} ${String(nComparisons).padEnd(9)} ${t.toFixed(4).padEnd(8)} ${tSe.toFixed(4).padEnd(10)} ${"(500 items) " + choixSeconds.toFixed(4)}  ${(choixSeconds / tSe).toFixed(1).padStart(5)}x`,
  );
}
