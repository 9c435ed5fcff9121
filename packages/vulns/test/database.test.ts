import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OSV_DB_DIR, OsvApiClient, loadOsvDirectory, loadOsvZip, resolveOsvDbDir } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'vulns-db-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const npmDir = join(DEFAULT_OSV_DB_DIR, 'npm');
const lodashRecord = readFileSync(join(npmDir, 'GHSA-p6mc-m468-83gw.json'), 'utf8');

describe('local OSV directory', () => {
  it('loads the shipped snapshot, indexes by ecosystem and normalized name, describes itself', async () => {
    const db = await loadOsvDirectory(DEFAULT_OSV_DB_DIR);
    const files = readdirSync(DEFAULT_OSV_DB_DIR, { recursive: true }).filter((f) => String(f).endsWith('.json'));
    expect(db.size).toBe(files.length);
    expect(db.advisoriesFor('npm', 'lodash').map((a) => a.id)).toContain('GHSA-p6mc-m468-83gw');
    expect(db.advisoriesFor('PyPI', 'Jinja_2').length).toBe(0);
    expect(db.advisoriesFor('PyPI', 'JINJA2').length).toBeGreaterThan(0);
    const d = db.describe();
    expect(d.source).toBe(DEFAULT_OSV_DB_DIR);
    expect(d.advisory_count).toBe(files.length);
    const newest = files.map((f) => JSON.parse(readFileSync(join(DEFAULT_OSV_DB_DIR, String(f)), 'utf8')).modified as string).sort().at(-1);
    expect(d.snapshot).toBe(newest);
  });

  it('OSV_DB_DIR overrides the default directory', () => {
    expect(resolveOsvDbDir({ OSV_DB_DIR: '/srv/osv' })).toBe('/srv/osv');
    expect(resolveOsvDbDir({})).toBe(DEFAULT_OSV_DB_DIR);
  });

  it('skips non-OSV and broken files with warnings, never throws', async () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.json'), lodashRecord);
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
    const db = await loadOsvDirectory(dir);
    expect(db.size).toBe(1);
    expect(db.warnings).toHaveLength(2);
    const missing = await loadOsvDirectory(join(tmp, 'nope'));
    expect(missing.size).toBe(0);
    expect(missing.warnings[0]).toMatch(/cannot read/);
  });
});

describe('OSV all.zip archives', () => {
  it('loads every JSON record of an ecosystem archive', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (const f of readdirSync(npmDir)) entries[f] = strToU8(readFileSync(join(npmDir, f), 'utf8'));
    const zipPath = join(tmp, 'all.zip');
    writeFileSync(zipPath, zipSync(entries));
    const db = await loadOsvZip(zipPath);
    expect(db.size).toBe(readdirSync(npmDir).length);
    expect(db.get('GHSA-35jh-r3h4-6jhm')?.aliases).toContain('CVE-2021-23337');
    writeFileSync(join(tmp, 'bad.zip'), 'not a zip');
    const bad = await loadOsvZip(join(tmp, 'bad.zip'));
    expect(bad.size).toBe(0);
    expect(bad.warnings).toHaveLength(1);
  });
});

describe('OSV API client', () => {
  let server: Server;
  let baseUrl: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        requests.push(`${req.method} ${req.url}`);
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && req.url === '/v1/querybatch') {
          const { queries } = JSON.parse(body) as { queries: { package: { name: string } }[] };
          const results = queries.map((q) => (q.package.name === 'lodash' ? { vulns: [{ id: 'GHSA-p6mc-m468-83gw', modified: '2022-02-08T22:04:28Z' }] } : {}));
          res.end(JSON.stringify({ results }));
        } else if (req.url === '/v1/vulns/GHSA-p6mc-m468-83gw') {
          res.end(lodashRecord);
        } else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('queries in batch, fetches the named records, caches responses on disk', async () => {
    const cacheDir = join(tmp, 'api-cache');
    const client = new OsvApiClient({ baseUrl, cacheDir });
    const pkgs = [
      { ecosystem: 'npm' as const, name: 'lodash', version: '4.17.15' },
      { ecosystem: 'npm' as const, name: 'left-pad', version: '1.3.0' },
    ];
    expect(await client.queryBatch(pkgs)).toEqual([['GHSA-p6mc-m468-83gw'], []]);
    const db = await client.populate(pkgs);
    expect(db.get('GHSA-p6mc-m468-83gw')?.summary).toBe('Prototype Pollution in lodash');
    expect(db.describe().source).toBe(baseUrl);
    const before = requests.length;
    expect(before).toBe(2); // querybatch once (second call served from cache) + one vuln fetch
    const again = await new OsvApiClient({ baseUrl, cacheDir }).populate(pkgs);
    expect(again.size).toBe(1);
    expect(requests.length).toBe(before);
    await expect(new OsvApiClient({ baseUrl }).getAdvisory('GHSA-none')).rejects.toThrow(/HTTP 404/);
  });
});
