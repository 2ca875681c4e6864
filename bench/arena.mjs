// Arena-scale Bradley–Terry: 10 million comparisons over 100,000 items, sampled from known
// strengths, fitted by luce's default Newton method. Prints the time, the memory, and the
// recovery error. Run: npm run bench:arena
import { fitBradleyTerry } from "../dist/index.js";
import { simulatedComparisons } from "./simulated-comparisons.mjs";

const nItems = Number(process.env.ITEMS ?? 100_000);
const nComparisons = Number(process.env.COMPARISONS ?? 10_000_000);
const { strength: truth, winners, losers } = simulatedComparisons(nItems, nComparisons);
const before = process.memoryUsage().rss;
const t = performance.now();
const fit = fitBradleyTerry({ winners, losers }, { nItems });
const seconds = (performance.now() - t) / 1000;
const mean = truth.reduce((a, v) => a + v, 0) / nItems;
let rms = 0;
for (let i = 0; i < nItems; i++) rms += (fit.logStrength[i] - (truth[i] - mean)) ** 2;
console.log(`arena fit: ${nComparisons.toLocaleString()} comparisons over ${nItems.toLocaleString()} items`);
console.log(`  ${seconds.toFixed(1)} s (goal < 60 s), ${fit.iterations} Newton iterations, converged ${fit.converged}`);
console.log(
  `  resident memory grew by ${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(0)} MiB; the data in columns are ${((nComparisons * 8) / 2 ** 20).toFixed(0)} MiB`,
);
console.log(
  `  RMS error against the true strengths ${Math.sqrt(rms / nItems).toFixed(3)} (sampling error, about 1/sqrt(comparisons per item · 0.2))`,
);
