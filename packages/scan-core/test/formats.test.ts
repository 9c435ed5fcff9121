import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { AuditReportSchema, type Finding } from '@linkops/shared/contracts';
import {
  AUDIT_PAGE_JS,
  buildReport,
  renderAuditPage,
  toHtml,
  toMarkdown,
  toSarif,
} from '../src/index.js';
import { ENV_NAME_PATTERNS, HEALTH_ROUTE, PORT_CALL_ARGS, PORT_KEYWORD, PORT_PATTERNS } from '../src/structure.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function finding(over: Partial<Finding>): Finding {
  return {
    rule_id: 'DL3007', scanner: 'misconfig', severity: 'medium', title: 'Pin the base image', message: 'FROM uses latest',
    location: { path: 'services/api/Dockerfile', start_line: 1, end_line: 1 }, evidence: '', remediation: 'Use a version tag.',
    references: ['hadolint:DL3007', 'https://github.com/hadolint/hadolint/wiki/DL3007'], fingerprint: 'f1', ...over,
  };
}

const report = buildReport({
  repoUrl: 'https://github.com/acme/<script>alert(1)</script>',
  ref: null,
  commit: 'a'.repeat(40),
  engines: [{ name: 'misconfig', version: '1', ran: true }],
  timings: { total: 5 },
  walk: { files: [{ path: 'x', size: 1 }], bytes: 1, skipped: {}, languages: [] },
  structure: { services: [], edges: [] },
  compliance: {
    score: 42,
    checks: [{ id: 'ci-present', title: 'CI <present>', risk: 'medium', weight: 5, score: 10, reason: 'ok | fine', evidence: [], remediation: '', fixed_by: ['ci-workflow'] }],
  },
  findings: [
    finding({}),
    finding({ rule_id: 'aws-key', scanner: 'secrets', severity: 'critical', title: 'AWS key <img src=x onerror=alert(1)>', evidence: 'AKIA…', location: { path: 'a b/.env', start_line: 0, end_line: 0 }, fingerprint: 'f2', references: ['CWE-798'] }),
    finding({ severity: 'low', fingerprint: 'f3', location: { path: 'services/worker/Dockerfile', start_line: 3, end_line: 2 } }),
    finding({ severity: 'info', fingerprint: 'f1' }),
  ],
  warnings: ['w <x>'],
  data: {},
});

describe('buildReport', () => {
  it('sorts by severity, dedupes fingerprints and counts by severity and scanner', () => {
    expect(AuditReportSchema.safeParse(report).success).toBe(true);
    expect(report.findings.map((f) => f.fingerprint)).toEqual(['f2', 'f1', 'f3']);
    expect(report.summary).toEqual({ total: 3, by_severity: { critical: 1, high: 0, medium: 1, low: 1, info: 0 }, by_scanner: { misconfig: 2, secrets: 1 } });
  });
});

describe('toSarif', () => {
  const sarif = toSarif(report);
  it('validates against the official SARIF 2.1.0 schema', () => {
    const schema = JSON.parse(readFileSync(path.join(here, 'schemas/sarif-2.1.0.json'), 'utf8')) as Record<string, unknown>;
    // The official file is draft-04 ("id" instead of "$id"); ajv 8 reads the rest unchanged.
    delete schema.$schema;
    schema.$id = schema.id;
    delete schema.id;
    const ajv = new Ajv({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: under NodeNext its default import is the module object.
    const addFormats = ajvFormats.default as unknown as (a: Ajv) => Ajv;
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const hosted = toSarif({ ...report, repo_url: 'https://github.com/acme/shop', ref: 'main' });
    expect((hosted.runs as Array<Record<string, unknown>>)[0]!.versionControlProvenance).toBeDefined();
    for (const doc of [sarif, hosted]) {
      const ok = validate(JSON.parse(JSON.stringify(doc)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });
  it('is GitHub code scanning compatible', () => {
    const run = (sarif.runs as Array<Record<string, any>>)[0]!;
    const rules = run.tool.driver.rules as Array<Record<string, any>>;
    expect(rules.map((r) => r.id)).toEqual(['aws-key', 'DL3007']);
    expect(rules[1]!.helpUri).toBe('https://github.com/hadolint/hadolint/wiki/DL3007');
    expect(rules[0]!.help.text).toContain('CWE-798');
    expect(rules[0]!.properties['security-severity']).toBe('9.5');
    expect(rules[0]!.properties.tags).toContain('external/cwe/cwe-798');
    const results = run.results as Array<Record<string, any>>;
    expect(results.map((r) => r.level)).toEqual(['error', 'warning', 'note']);
    for (const r of results) {
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(r.locations[0].physicalLocation.region.endLine).toBeGreaterThanOrEqual(r.locations[0].physicalLocation.region.startLine);
      expect(typeof r.partialFingerprints['primaryLocationLineHash/v1']).toBe('string');
    }
    expect(results[0]!.locations[0].physicalLocation.artifactLocation.uri).toBe('a%20b/.env');
  });
});

describe('toMarkdown and toHtml', () => {
  it('markdown carries the score and escapes HTML and table pipes', () => {
    const md = toMarkdown(report);
    expect(md).toContain('42/100');
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('ok \\| fine');
    expect(md.length).toBeGreaterThan(200);
  });
  it('html is self-contained and escaped', () => {
    const html = toHtml(report);
    expect(html).toMatch(/<span class="score" id="score">42<\/span>/);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('AKIA…');
  });
});

describe('renderAuditPage', () => {
  it('has the stable ids and no inline script or external assets', () => {
    const page = renderAuditPage();
    for (const id of ['repo-url', 'audit-button', 'progress', 'score', 'checks', 'services', 'findings', 'filter-severity', 'filter-scanner']) {
      expect(page).toContain(`id="${id}"`);
    }
    for (const f of ['json', 'sarif', 'markdown']) expect(page).toContain(`data-format="${f}"`);
    expect(page).toMatch(/<script src="\/app\.js" defer><\/script>/);
    expect(page).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>/);
    expect(page).not.toMatch(/(src|href)="https?:/);
    expect(page.toLowerCase()).toContain('<html');
  });
  it('ships client code that posts to /scan/audit, polls and never uses innerHTML', () => {
    expect(AUDIT_PAGE_JS).toContain("'/scan/audit'");
    expect(AUDIT_PAGE_JS).toContain("'/scan/' + encodeURIComponent(id)");
    expect(AUDIT_PAGE_JS).toContain('/report?format=');
    expect(AUDIT_PAGE_JS).not.toContain('innerHTML');
    expect(() => new Function(AUDIT_PAGE_JS)).not.toThrow();
  });
});

describe('regular expressions', () => {
  const all = [...PORT_PATTERNS, PORT_CALL_ARGS, PORT_KEYWORD, HEALTH_ROUTE, ...ENV_NAME_PATTERNS];
  it.each(all.map((re) => [re.source, re] as const))('%s is ReDoS-safe', async (_src, re) => {
    const result = await check(re.source, re.flags.replace('g', ''), { timeout: 10_000 });
    expect(result.status).not.toBe('vulnerable');
  }, 30_000);
});
