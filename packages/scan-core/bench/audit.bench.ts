/**
 * Full auditRepository over a generated ~100 MB / 10k-file repository with the default scanners
 * that are available. Prints wall time per phase and peak RSS.
 * Run: node --import tsx packages/scan-core/bench/audit.bench.ts [files] [totalMB]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { auditRepository, defaultScannerFactories } from '../src/index.js';

const FILES = Number(process.argv[2] ?? 10_000);
const TOTAL_MB = Number(process.argv[3] ?? 100);
const WORDS = 'const let function return if else for while import export from class new this await async value result error data config service request response handler'.split(' ');

/** Deterministic pseudo-random text so runs are comparable. */
function* rng(seed: number) {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    yield x;
  }
}

function generate(root: string): void {
  const r = rng(42);
  const next = () => r.next().value as number;
  const perFile = Math.floor((TOTAL_MB * 1024 * 1024) / FILES);
  const exts = ['.js', '.ts', '.py', '.go', '.java', '.md', '.json', '.yaml'];
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(root, `services/svc${i % 20}/src/mod${Math.floor(i / 200)}`);
    mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    let size = 0;
    while (size < perFile) {
      const line = Array.from({ length: 12 }, () => `${WORDS[next() % WORDS.length]}${next() % 1000}`).join(' ');
      lines.push(line);
      size += line.length + 1;
    }
    if (i % 997 === 0) lines.push(`const key = "AKIA${'QX7ZD4K2M9PLN3TB'}"; // planted`);
    writeFileSync(path.join(dir, `file${i}${exts[i % exts.length]}`), lines.join('\n'));
  }
  for (let s = 0; s < 20; s++) {
    writeFileSync(path.join(root, `services/svc${s}/package.json`), JSON.stringify({ name: `svc${s}`, main: 'src/index.js', dependencies: { express: '4.17.1', lodash: '4.17.15' } }));
    writeFileSync(path.join(root, `services/svc${s}/Dockerfile`), `FROM node:20-alpine\nCOPY . /app\nUSER node\nEXPOSE ${3000 + s}\nCMD ["node","/app/src/index.js"]\n`);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'scan-core-bench-'));
const origin = path.join(work, 'origin');
mkdirSync(origin);
try {
  let t = performance.now();
  generate(origin);
  const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const g = (...args: string[]) => execFileSync('git', ['-c', 'user.email=b@e', '-c', 'user.name=b', ...args], { cwd: origin, env: gitEnv, stdio: 'ignore' });
  g('init', '-q');
  g('add', '-A');
  g('commit', '-q', '-m', 'bench');
  console.log(`generated ${FILES} files / ${TOTAL_MB} MB and committed in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  const factories = await defaultScannerFactories();
  console.log(`loaded engines in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log(`engines available: ${factories.factories.length}; unavailable: ${factories.unavailable.map((u) => u.name).join(', ') || 'none'}`);
  t = performance.now();
  const report = await auditRepository(
    { repo_url: origin },
    { allowLocal: true, allowedHosts: [], tmpRoot: path.join(work, 'tmp'), timeoutMs: 120_000, maxBytes: 2 * 1024 ** 3, scannerFactories: factories },
  );
  const wall = (performance.now() - t) / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`auditRepository: ${wall.toFixed(1)} s wall, peak RSS ${rssMb.toFixed(0)} MB`);
  console.log(`files ${report.inventory.files}, bytes ${report.inventory.bytes}, services ${report.services.length}, findings ${report.summary.total}, score ${report.score}`);
  console.log(`engines: ${report.engines.map((e) => `${e.name}${e.ran ? '' : '(off)'}`).join(', ')}`);
  console.log(`timings ms: ${JSON.stringify(report.timings)}`);
  if (report.warnings.length) console.log(`warnings: ${report.warnings.slice(0, 5).join(' | ')}`);
} finally {
  const t = performance.now();
  rmSync(work, { recursive: true, force: true });
  console.log(`cleanup ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
