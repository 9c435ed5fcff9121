import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditReportSchema } from '@linkops/shared';
import { PLANTED_SECRETS, git, makeRepo } from './helpers/fixture-repo.js';

const BIN = join(process.cwd(), 'packages/cli/bin/linkops.mjs');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('the linkops CLI (built bin)', () => {
  const repo = makeRepo();
  const work = mkdtempSync(join(tmpdir(), 'linkops-cli-test-'));
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('audits a local repository to JSON and exits 1 when findings reach --fail-on', () => {
    const r = run(['audit', repo, '--format', 'json', '--fail-on', 'high']);
    expect(r.status, r.stderr).toBe(1);
    const report = AuditReportSchema.parse(JSON.parse(r.stdout));
    expect(report.services.map((s) => s.name).sort()).toEqual(['api', 'db', 'worker']);
    expect(report.findings.some((f) => f.severity === 'critical')).toBe(true);
    for (const secret of PLANTED_SECRETS) expect(r.stdout).not.toContain(secret);
  }, 120_000);

  it('exits 0 with --fail-on none and prints a table; SARIF and Markdown formats work', () => {
    const t = run(['audit', repo]);
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/GitOps score \d+\/100/);
    const s = run(['audit', repo, '--format', 'sarif', '--output', join(work, 'out.sarif')]);
    expect(s.status).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'out.sarif'), 'utf8')).version).toBe('2.1.0');
    const md = run(['audit', repo, '--format', 'md']);
    expect(md.stdout).toMatch(/^# /m);
  }, 180_000);

  it('rejects bad usage with exit 2 and the usage text', () => {
    const r = run(['audit', repo, '--fail-on', 'catastrophic']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--fail-on must be/);
    expect(run(['frobnicate']).status).toBe(2);
  });

  it('migrates from report.json into a patch that applies to the scanned commit', () => {
    const out = join(work, 'migration');
    const reportFile = join(work, 'report-for-migrate.json');
    expect(run(['audit', repo, '--format', 'json', '--output', reportFile]).status).toBe(0);
    const r = run(['migrate', reportFile, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'bundle.tar.gz'))).toBe(true);
    const check = spawnSync('git', ['apply', '--check', join(out, 'migration.patch')], { cwd: repo, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(git(repo, 'status', '--short')).toBe('');
  }, 120_000);
});
