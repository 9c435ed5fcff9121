#!/usr/bin/env node
// Runs every benchmark: packages/*/bench/*.bench.ts and scripts/bench/*.bench.ts, one process each,
// so each prints its own figures. `pnpm bench secrets` runs only the files whose path contains "secrets".
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2];
const dirs = [join(root, 'scripts/bench')];
for (const p of readdirSync(join(root, 'packages'))) dirs.push(join(root, 'packages', p, 'bench'));
const files = dirs.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.bench.ts')).map((f) => join(d, f)));
let failed = 0;
for (const f of files.filter((f) => !filter || f.includes(filter))) {
  console.log(`\n=== ${f.slice(root.length)}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', f], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
