/**
 * Downloads the OSV per-ecosystem archives (https://osv-vulnerabilities.storage.googleapis.com/<eco>/all.zip)
 * and unpacks them into the local database directory (OSV_DB_DIR or packages/vulns/db/osv), one
 * <Ecosystem>/<ID>.json per record, replacing each ecosystem folder only after its archive downloaded and unpacked.
 *
 *   node --import tsx packages/vulns/scripts/db-update.ts [Ecosystem ...]
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { ECOSYSTEMS, resolveOsvDbDir } from '../src/index.js';

const BASE_URL = process.env.OSV_ARCHIVE_URL ?? 'https://osv-vulnerabilities.storage.googleapis.com';

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new Error(`cannot reach ${url} (${cause}). This machine may be offline: the bundled snapshot in the database directory stays in use.`);
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function updateEcosystem(dbDir: string, ecosystem: string): Promise<number> {
  const archive = await download(`${BASE_URL}/${encodeURIComponent(ecosystem)}/all.zip`);
  const entries = unzipSync(archive, { filter: (f) => f.name.endsWith('.json') });
  const staging = join(dbDir, `.${ecosystem}.new`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [name, bytes] of Object.entries(entries)) await writeFile(join(staging, name.split('/').pop()!), bytes);
  await rm(join(dbDir, ecosystem), { recursive: true, force: true });
  await rename(staging, join(dbDir, ecosystem));
  return Object.keys(entries).length;
}

async function main(): Promise<void> {
  const dbDir = resolveOsvDbDir();
  const wanted = process.argv.slice(2);
  const ecosystems = wanted.length ? wanted : [...ECOSYSTEMS];
  let failed = 0;
  for (const eco of ecosystems) {
    try {
      const n = await updateEcosystem(dbDir, eco);
      console.log(`${eco}: ${n} advisories -> ${join(dbDir, eco)}`);
    } catch (err) {
      failed++;
      console.error(`db-update: ${eco}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed) {
    console.error(`db-update: ${failed} of ${ecosystems.length} ecosystem archives could not be updated; existing files in ${dbDir} were left untouched.`);
    process.exitCode = 1;
  }
}

await main();
