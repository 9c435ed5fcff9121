import { chmodSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditReportSchema, type Finding, type Scanner } from '@linkops/shared/contracts';
import {
  auditRepository,
  CloneError,
  defaultScannerFactories,
  reportCacheKey,
  RepoUrlError,
  runExternalEngines,
  runScanners,
  sarifToFindings,
} from '../src/index.js';
import { FIXTURE, listDir, makeRepo, remove, tempDir, writeTree } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(remove));
const newDir = (p: string) => {
  const d = tempDir(p);
  dirs.push(d);
  return d;
};

/** A tiny secret scanner for tests: flags AKIA keys and redacts them like the real engine. */
function testSecretScanner(): Scanner {
  return {
    name: 'secrets',
    version: 'test-1',
    wants: (p) => !p.endsWith('.png'),
    analyze(file) {
      const out: Finding[] = [];
      file.content.split('\n').forEach((line, i) => {
        const m = /AKIA[A-Z0-9]{16}/.exec(line);
        if (m) {
          out.push({
            rule_id: 'aws-access-key-id', scanner: 'secrets', severity: 'critical', title: 'AWS access key', message: 'An AWS access key id is committed',
            location: { path: file.path, start_line: i + 1, end_line: i + 1 }, evidence: `${m[0].slice(0, 4)}…`, remediation: 'Rotate the key.',
            references: ['CWE-798', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html'],
            fingerprint: createHash('sha256').update(`aws|${file.path}|${m[0]}`).digest('hex'),
          });
        }
      });
      return out;
    },
  };
}

describe('runScanners', () => {
  it('reads each wanted file once, fans out, dedupes, and turns a throwing scanner into a warning', async () => {
    const root = newDir('reg');
    writeTree(root, { 'a.txt': 'AKIAQX7ZD4K2M9PLN3TB\n', 'b.txt': 'AKIAQX7ZD4K2M9PLN3TB\n', 'c.md': 'hello <b>\n' });
    const seen: string[] = [];
    const counting: Scanner = {
      name: 'counting', version: '1', wants: (p) => p.endsWith('.txt') || p.endsWith('.md'),
      analyze(file, ctx) { seen.push(file.path); expect(ctx.paths).toHaveLength(3); return []; },
      async finish(ctx) { return { findings: [], warnings: ['note'], data: { files: seen.length, readBack: await ctx.readFile('c.md'), outside: await ctx.readFile('../etc/passwd') } }; },
    };
    const twice: Scanner = { ...testSecretScanner(), name: 'secrets-dup', analyze: (f, c) => testSecretScanner().analyze(f, c) };
    const broken: Scanner = { name: 'broken', version: '0', wants: () => true, analyze() { throw new Error('boom'); } };
    const invalid: Scanner = { name: 'invalid', version: '0', wants: (p) => p === 'c.md', analyze: () => [{ rule_id: 'x' } as unknown as Finding] };
    const progress: number[] = [];
    const r = await runScanners({ root, paths: ['a.txt', 'b.txt', 'c.md'], scanners: [testSecretScanner(), counting, twice, broken, invalid], onProgress: (d) => progress.push(d) });
    expect(seen.sort()).toEqual(['a.txt', 'b.txt', 'c.md']);
    // Two files, one key each; the duplicate scanner emits identical fingerprints.
    expect(r.findings).toHaveLength(2);
    expect(r.findings.every((f) => f.evidence === 'AKIA…')).toBe(true);
    expect(r.data.counting).toEqual({ files: 3, readBack: 'hello <b>\n', outside: null });
    expect(r.warnings).toContain('counting: note');
    expect(r.warnings.some((w) => /^broken: analyze\(.*\) failed: boom$/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /invalid: dropped 1 finding/.test(w))).toBe(true);
    expect(r.engines.find((e) => e.name === 'broken')).toMatchObject({ ran: false });
    expect(r.engines.find((e) => e.name === 'secrets')).toMatchObject({ ran: true, version: 'test-1' });
    expect(Object.keys(r.timings).sort()).toEqual(['broken', 'counting', 'invalid', 'secrets', 'secrets-dup']);
    expect(progress.at(-1)).toBe(3);
  });
});

describe('external engines', () => {
  it('runs an installed engine with argument arrays and merges SARIF de-duplicated by (path, line, rule)', async () => {
    const bin = newDir('bin');
    const root = newDir('extroot');
    const sarif = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'gitleaks', rules: [{ id: 'aws', shortDescription: { text: 'AWS key' } }] } }, results: [
        { ruleId: 'aws', level: 'error', message: { text: 'AWS key found' }, locations: [{ physicalLocation: { artifactLocation: { uri: `${root}/x/.env` }, region: { startLine: 1, snippet: { text: 'AKIAQX7ZD4K2M9PLN3TB' } } } }] },
        { ruleId: 'aws', level: 'error', message: { text: 'AWS key found' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'x/.env' }, region: { startLine: 1 } } }] },
      ] }],
    };
    writeFileSync(path.join(bin, 'sarif.json'), JSON.stringify(sarif));
    // The fake gitleaks writes the SARIF to --report-path and exits 1 like the real one on leaks.
    writeFileSync(path.join(bin, 'gitleaks'), `#!/bin/sh\nif [ "$1" = version ]; then echo 8.18.2; exit 0; fi\nwhile [ $# -gt 0 ]; do if [ "$1" = --report-path ]; then cp ${bin}/sarif.json "$2"; fi; shift; done\nexit 1\n`);
    writeFileSync(path.join(bin, 'trivy'), '#!/bin/sh\nsleep 5\n');
    chmodSync(path.join(bin, 'gitleaks'), 0o755);
    chmodSync(path.join(bin, 'trivy'), 0o755);
    const r = await runExternalEngines(root, { timeoutMs: 1500, envPath: bin });
    expect(r.engines).toEqual([
      { name: 'trivy', version: 'unknown', ran: false, note: 'timed out after 2 s' },
      { name: 'semgrep', version: 'n/a', ran: false, note: 'not installed' },
      { name: 'gitleaks', version: '8.18.2', ran: true },
    ]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ scanner: 'secrets', rule_id: 'gitleaks:aws', location: { path: 'x/.env', start_line: 1 }, severity: 'high' });
    expect(JSON.stringify(r.findings)).not.toContain('AKIAQX7ZD4K2M9PLN3TB');
  });

  it('maps security-severity to severities', () => {
    const fs = sarifToFindings({ runs: [{ tool: { driver: { rules: [{ id: 'r', properties: { 'security-severity': '9.8' } }] } }, results: [{ ruleId: 'r', message: { text: 'm' }, locations: [] }] }] }, 'trivy', 'trivy', '/x');
    expect(fs[0]!.severity).toBe('critical');
  });
});

describe('defaultScannerFactories', () => {
  it('returns providers or ran:false notes for each built-in engine', async () => {
    const set = await defaultScannerFactories();
    expect(set.factories.length + set.unavailable.length).toBe(3);
    for (const u of set.unavailable) expect(u).toMatchObject({ ran: false });
  });
});

describe('auditRepository', () => {
  it('audits the fixture end to end and cleans up', async () => {
    const origin = newDir('fixture');
    const commit = makeRepo(origin, FIXTURE);
    const tmpRoot = newDir('tmp');
    const phases = new Set<string>();
    let historyDir = '';
    const report = await auditRepository(
      { repo_url: origin, history: true },
      {
        allowLocal: true, allowedHosts: [], tmpRoot, timeoutMs: 30_000, maxBytes: 20 * 1024 * 1024, externalEngines: false,
        scannerFactories: { factories: [testSecretScanner], unavailable: [{ name: 'vulns', version: 'n/a', ran: false, note: 'not installed' }] },
        onProgress: (phase) => phases.add(phase),
        historyScanner: async (dir) => { historyDir = dir; return []; },
      },
    );
    expect(AuditReportSchema.safeParse(report).success).toBe(true);
    expect(report.commit).toBe(commit);
    expect(report.services.map((s) => s.name)).toEqual(['api', 'db', 'worker']);
    expect(report.findings).toHaveLength(1);
    expect(report.summary).toMatchObject({ total: 1, by_severity: { critical: 1, high: 0 }, by_scanner: { secrets: 1 } });
    expect(report.checks.find((c) => c.id === 'no-secrets')!.score).toBe(0);
    expect(report.score).toBeLessThan(40);
    expect(report.engines).toEqual([{ name: 'secrets', version: 'test-1', ran: true }, { name: 'vulns', version: 'n/a', ran: false, note: 'not installed' }]);
    expect(report.inventory.files).toBe(Object.keys(FIXTURE).length);
    expect(Object.keys(report.timings)).toEqual(expect.arrayContaining(['clone', 'walk', 'scan', 'structure', 'compliance', 'total', 'scanner:secrets', 'history']));
    expect([...phases]).toEqual(expect.arrayContaining(['validate', 'clone', 'walk', 'scan', 'history', 'structure', 'compliance', 'report']));
    expect(historyDir).not.toBe('');
    expect(listDir(tmpRoot)).toEqual([]);
    expect(JSON.stringify(report)).not.toContain('Sup3rS3cretPassw0rd');
    expect(JSON.stringify(report)).not.toContain('AKIAQX7ZD4K2M9PLN3TB');
  });

  it('rejects bad URLs before cloning and reports clone failures with a code', async () => {
    const tmpRoot = newDir('tmp2');
    const base = { allowLocal: false, tmpRoot, timeoutMs: 10_000, maxBytes: 1024, scannerFactories: [], externalEngines: false };
    await expect(auditRepository({ repo_url: 'ssh://git@github.com/a/b' }, base)).rejects.toBeInstanceOf(RepoUrlError);
    await expect(auditRepository({ repo_url: 'https://github.com/a/b', ref: '--upload-pack=x' }, base)).rejects.toMatchObject({ code: 'invalid_ref' });
    const origin = newDir('big');
    makeRepo(origin, { 'big.txt': 'x'.repeat(200_000) });
    await expect(auditRepository({ repo_url: origin }, { ...base, allowLocal: true })).rejects.toSatisfy((e) => e instanceof CloneError && e.code === 'too_large');
    expect(listDir(tmpRoot)).toEqual([]);
  });
});

describe('reportCacheKey', () => {
  it('changes with commit and engine versions, not with engine order', () => {
    const e1 = [{ name: 'secrets', version: '1', ran: true }, { name: 'vulns', version: '2', ran: true }];
    const k = reportCacheKey('https://github.com/a/b', 'abc', e1);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(reportCacheKey('https://github.com/a/b', 'abc', [...e1].reverse())).toBe(k);
    expect(reportCacheKey('https://github.com/a/b', 'abd', e1)).not.toBe(k);
    expect(reportCacheKey('https://github.com/a/b', 'abc', [{ ...e1[0]!, version: '1.1' }, e1[1]!])).not.toBe(k);
  });
});
