/**
 * Prints the classifier's accuracy on the labelled fixtures, overall and per domain,
 * with a confusion summary. Run: node --import tsx packages/whis/scripts/classifier-accuracy.ts [--misses]
 */
import { loadLabelledPairs, measureAccuracy } from './accuracy.js';

const report = measureAccuracy(loadLabelledPairs());
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
console.log(`overall: ${report.correct}/${report.total} = ${pct(report.accuracy)}`);
for (const [domain, b] of Object.entries(report.perDomain).sort()) {
  console.log(`  ${domain.padEnd(14)} ${String(b.correct).padStart(3)}/${String(b.total).padEnd(3)} ${pct(b.accuracy)}`);
}
const confusions = Object.entries(report.confusions).sort((a, b) => b[1] - a[1]);
console.log(confusions.length ? 'confusions (expected -> predicted):' : 'no confusions');
for (const [pair, count] of confusions) console.log(`  ${pair}: ${count}`);
if (process.argv.includes('--misses')) {
  for (const m of report.misses) console.log(`  MISS [${m.expected} -> ${m.predicted}] ${m.task} | ${m.evidence.join(', ')}`);
}
