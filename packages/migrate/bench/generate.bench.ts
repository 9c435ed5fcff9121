/** Generation throughput on the acceptance fixture and on a synthetic 40-service monorepo report. */
import { performance } from 'node:perf_hooks';
import { createBundle, generateMigration } from '../src/index.js';
import { buildRepo, fixtureReport } from '../test/fixture.js';

const repo = buildRepo();
try {
  const report = fixtureReport(repo.commit);
  const runs = 50;
  let t = performance.now();
  let size = 0;
  for (let i = 0; i < runs; i++) size = generateMigration(report, {}, repo.readFile).patch.length;
  console.log(`fixture (3 services): ${((performance.now() - t) / runs).toFixed(1)} ms/run, patch ${size} bytes`);

  const big = structuredClone(report);
  big.services = Array.from({ length: 40 }, (_, i) => ({ ...report.services[i % 2]!, name: `svc-${String(i).padStart(2, '0')}`, depends_on: [] }));
  t = performance.now();
  const r = generateMigration(big, {}, repo.readFile);
  console.log(`synthetic (40 services): ${(performance.now() - t).toFixed(1)} ms, ${Object.keys(r.files).length} files, patch ${r.patch.length} bytes`);
  t = performance.now();
  const tgz = await createBundle(r.files);
  console.log(`bundle (40 services): ${(performance.now() - t).toFixed(1)} ms, ${tgz.length} bytes`);
} finally {
  repo.cleanup();
}
