/**
 * Dependency-engine benchmark: load the full local OSV database, parse a generated 5,000-package
 * package-lock.json (v3) and match every package. Prints load, parse and match times and peak RSS.
 *
 *   node --import tsx packages/vulns/bench/vulns.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_OSV_DB_DIR, loadOsvDirectory, matchPackages, parseManifest } from '../src/index.js';

const PACKAGE_COUNT = 5000;

/** Deterministic PRNG so runs are comparable. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateLockfile(names: readonly string[]): string {
  const rand = mulberry32(42);
  const packages: Record<string, unknown> = { '': { name: 'bench', version: '1.0.0', dependencies: {} } };
  const rootDeps = (packages[''] as { dependencies: Record<string, string> }).dependencies;
  for (let i = 0; i < PACKAGE_COUNT; i++) {
    // A quarter of the entries use names that have advisories, so matching does real range work.
    const name = i % 4 === 0 ? names[i % names.length]! : `bench-pkg-${i}`;
    const version = `${Math.floor(rand() * 10)}.${Math.floor(rand() * 30)}.${Math.floor(rand() * 20)}`;
    const path = i < names.length || i % 4 !== 0 ? `node_modules/${name}` : `node_modules/parent-${i}/node_modules/${name}`;
    packages[path] = { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, integrity: 'sha512-x', license: 'MIT' };
    if (i % 10 === 0) rootDeps[name] = `^${version}`;
  }
  return JSON.stringify({ name: 'bench', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

const t0 = performance.now();
const db = await loadOsvDirectory(DEFAULT_OSV_DB_DIR);
const t1 = performance.now();
const npmNames = [...new Set([...db.advisories()].flatMap((a) => (a.affected ?? []).filter((x) => x.package?.ecosystem === 'npm').map((x) => x.package!.name)))];
const lockfile = generateLockfile(npmNames);
const t2 = performance.now();
const { packages } = await parseManifest('package-lock.json', lockfile);
const t3 = performance.now();
const findings = matchPackages(db, packages);
const t4 = performance.now();
const again = matchPackages(db, packages);
const t5 = performance.now();

const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(`vulns bench: ${db.size} advisories, lockfile ${(lockfile.length / 1e6).toFixed(1)} MB, ${packages.length} packages, ${findings.length} findings`);
console.log(`  load database      ${(t1 - t0).toFixed(0)} ms`);
console.log(`  parse lockfile     ${(t3 - t2).toFixed(0)} ms`);
console.log(`  match (cold)       ${(t4 - t3).toFixed(0)} ms`);
console.log(`  match (warm)       ${(t5 - t4).toFixed(0)} ms (${again.length} findings)`);
console.log(`  peak RSS           ${rssMb.toFixed(0)} MB`);
