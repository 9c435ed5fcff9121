import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingSchema, type ScanContext, type ScannerOutput } from '@linkops/shared/contracts';
import { createVulnScanner, loadOsvDirectory, DEFAULT_OSV_DB_DIR, type AdvisoryDatabase, type Package } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/**
 * Advisory ids that /work/shared/acceptance/osv_expect.py (an independent Python matcher using
 * `packaging.version`) reports for this exact lockfile (test/fixtures/acceptance/package-lock.json, produced by
 * `npm install --package-lock-only lodash@4.17.15 minimist@1.2.0 express@4.17.1 jsonwebtoken@8.5.1 moment@2.29.1`)
 * plus flask==0.12.2 pyyaml==5.3 requests==2.19.0 jinja2==2.10 urllib3==1.24.1, against db/osv.
 */
const EXPECTED_IDS = [
  'GHSA-27h2-hvpr-p74q', 'GHSA-35jh-r3h4-6jhm', 'GHSA-8cf7-32gw-wr33', 'GHSA-8hfj-j24r-96c4', 'GHSA-9wv6-86v2-598j',
  'GHSA-cm22-4g7w-348p', 'GHSA-h5c8-rqwp-cp95', 'GHSA-hrpp-h998-j3pp', 'GHSA-j8r2-6x86-q33q', 'GHSA-m2qf-hxjv-5gpq',
  'GHSA-m6fv-jmcg-4jfg', 'GHSA-p6mc-m468-83gw', 'GHSA-pxg6-pf52-xh8x', 'GHSA-qw6h-vgh9-j6wx', 'GHSA-qwcr-r2fm-qrc7',
  'GHSA-qwph-4952-7xr6', 'GHSA-rv95-896h-c2vc', 'GHSA-v845-jxx5-vc9f', 'GHSA-vh95-rmgr-6w4m', 'GHSA-wc69-rhjr-hc9g',
  'GHSA-xvch-5gv4-984h', 'PYSEC-2018-28', 'PYSEC-2018-66', 'PYSEC-2019-132', 'PYSEC-2019-133', 'PYSEC-2019-179',
  'PYSEC-2019-217', 'PYSEC-2020-148', 'PYSEC-2020-96', 'PYSEC-2021-108', 'PYSEC-2021-142', 'PYSEC-2021-66',
  'PYSEC-2023-192', 'PYSEC-2023-207', 'PYSEC-2023-212', 'PYSEC-2023-62', 'PYSEC-2023-74',
];

let repo: string;
let db: AdvisoryDatabase;
let output: ScannerOutput;

async function scanRepo(root: string, database: AdvisoryDatabase): Promise<ScannerOutput> {
  const paths = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  const ctx: ScanContext = {
    root,
    paths,
    readFile: async (p) => {
      try {
        return readFileSync(join(root, p), 'utf8');
      } catch {
        return null;
      }
    },
  };
  const scanner = createVulnScanner({ db: database });
  for (const path of paths.filter((p) => scanner.wants(p))) {
    const content = readFileSync(join(root, path), 'utf8');
    expect(await scanner.analyze({ path, content, size: content.length }, ctx)).toEqual([]);
  }
  return scanner.finish!(ctx);
}

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'vulns-e2e-'));
  mkdirSync(join(repo, 'web'));
  mkdirSync(join(repo, 'api'));
  writeFileSync(join(repo, 'web/package-lock.json'), readFileSync(join(FIXTURES, 'acceptance/package-lock.json')));
  writeFileSync(join(repo, 'web/package.json'), readFileSync(join(FIXTURES, 'acceptance/package.json')));
  writeFileSync(join(repo, 'api/requirements.txt'), 'flask==0.12.2\npyyaml==5.3\nrequests==2.19.0\njinja2==2.10\nurllib3==1.24.1\n');
  writeFileSync(join(repo, 'README.md'), '# fixture\n');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init');
  db = await loadOsvDirectory(DEFAULT_OSV_DB_DIR);
  output = await scanRepo(repo, db);
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('end-to-end scan of a repository with a real npm v3 lockfile and pinned requirements', () => {
  it('reports every advisory the independent matcher finds, by id or alias', () => {
    const reported = new Set(output.findings.flatMap((f) => [f.rule_id, ...f.references]));
    const missing = EXPECTED_IDS.filter((id) => !reported.has(id));
    expect(missing).toEqual([]);
  });

  it('emits valid findings with location, fixed version and remediation', () => {
    for (const f of output.findings) expect(() => FindingSchema.parse(f)).not.toThrow();
    const lodash = output.findings.find((f) => f.rule_id === 'GHSA-p6mc-m468-83gw');
    expect(lodash).toBeDefined();
    expect(lodash!.location.path).toBe('web/package-lock.json');
    const lockLines = readFileSync(join(repo, 'web/package-lock.json'), 'utf8').split('\n');
    expect(lockLines[lodash!.location.start_line - 1]).toContain('"node_modules/lodash"');
    expect(lodash!.metadata).toMatchObject({ ecosystem: 'npm', package: 'lodash', version: '4.17.15', fixed_version: '4.17.20' });
    expect(lodash!.remediation).toBe('upgrade lodash to 4.17.20');
    expect(lodash!.references).toContain('CVE-2020-8203');
    expect(lodash!.severity).toBe('high'); // database_specific.severity HIGH
  });

  it('merges aliased records (PYSEC + GHSA for one CVE) into one finding per package', () => {
    const keys = output.findings.map((f) => `${f.location.path}|${String(f.metadata?.package)}|${f.rule_id}`);
    expect(new Set(keys).size).toBe(keys.length);
    const cves = output.findings.filter((f) => f.metadata?.package === 'urllib3').flatMap((f) => f.references.filter((r) => r.startsWith('CVE-')));
    expect(new Set(cves).size).toBe(cves.length);
  });

  it('prefers the lockfile over package.json ranges and reports the package inventory and database', () => {
    const deps = output.data?.dependencies as { packages: Package[]; database: { advisory_count: number; snapshot: string } };
    expect(deps.packages.some((p) => p.file === 'web/package.json')).toBe(false);
    const direct = deps.packages.filter((p) => p.direct && p.ecosystem === 'npm').map((p) => p.name).sort();
    expect(direct).toEqual(['express', 'jsonwebtoken', 'lodash', 'minimist', 'moment']);
    expect(deps.packages.filter((p) => p.ecosystem === 'PyPI')).toHaveLength(5);
    expect(deps.database.advisory_count).toBe(db.size);
    expect(deps.database.snapshot).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('fingerprints are stable across scans', async () => {
    const again = await scanRepo(repo, db);
    expect(again.findings.map((f) => f.fingerprint).sort()).toEqual(output.findings.map((f) => f.fingerprint).sort());
  });
});
