import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingSchema, type Finding } from '@linkops/shared/contracts';
import {
  createSecretScanner, fingerprintOf, isPlaceholder, redact, scanHistory, scanText, shannonEntropy, type SecretRule,
} from '../src/index.js';

const AWS_ID = 'AKIAQX7ZD4K2M9PLN3TB';
const AWS_SECRET = 'k9Xb2Lq7Rt4Vw1Zy8Nc3Hd6Jf0Gs5Pa2Me7Qu4Wi';
const GH = 'ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u';
const SLACK = 'https://hooks.slack.com/services/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';
const STRIPE = 'sk_live_51Hq8ZtK3mN7pQ2rS5vW9xY1zA4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0dE2fG4h';
const DB_PASSWORD = 'Sup3rS3cretPassw0rd';
const PLANTED = [AWS_ID, AWS_SECRET, GH, 'x7Y8z9A0b1C2d3E4f5G6h7I8', STRIPE, DB_PASSWORD];

const FIXTURE_ENV = [
  `AWS_ACCESS_KEY_ID=${AWS_ID}`,
  `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
  `GITHUB_TOKEN=${GH}`,
  `SLACK_WEBHOOK=${SLACK}`,
  `STRIPE_KEY=${STRIPE}`,
  '',
].join('\n');

const FIXTURE_COMPOSE = `services:
  api:
    build: services/api
    ports: ["3000:3000"]
    environment:
      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app
    depends_on: [db, worker]
  db:
    image: postgres
    ports: ["5432:5432"]
`;

function assertNoPlantedSecret(value: unknown) {
  const json = JSON.stringify(value);
  for (const s of PLANTED) expect(json.includes(s), `leaked ${s.slice(0, 4)}…`).toBe(false);
}

describe('acceptance fixture', () => {
  it('finds every secret in services/api/.env at its own line', () => {
    const findings = scanText(FIXTURE_ENV, 'services/api/.env');
    const byLine = new Map(findings.map((f) => [f.location.start_line, f]));
    expect([...byLine.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(byLine.get(1)!.rule_id).toBe('aws-access-key-id');
    expect(byLine.get(2)!.rule_id).toBe('aws-secret-access-key');
    expect(byLine.get(3)!.rule_id).toBe('github-pat');
    expect(byLine.get(4)!.rule_id).toBe('slack-webhook-url');
    expect(byLine.get(5)!.rule_id).toBe('stripe-secret-key');
    for (const f of findings) {
      expect(FindingSchema.parse(f)).toEqual(f);
      expect(f.scanner).toBe('secrets');
      expect(f.location.end_line).toBe(f.location.start_line);
      expect(f.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(f.references).toContain('CWE-798');
    }
    expect(byLine.get(1)!.evidence).toBe('AWS_ACCESS_KEY_ID=AKIA…');
    expect(byLine.get(3)!.references).toContain('gitleaks:github-pat');
    assertNoPlantedSecret(findings);
  });

  it('finds the postgres password in docker-compose.yml line 6', () => {
    const findings = scanText(FIXTURE_COMPOSE, 'docker-compose.yml');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.rule_id).toBe('postgres-connection-string');
    expect(findings[0]!.location.start_line).toBe(6);
    expect(findings[0]!.evidence).toBe('DATABASE_URL: postgres://app:Sup3…@db:5432/app');
    assertNoPlantedSecret(findings);
  });

  it('the scanner seam analyzes the same way', async () => {
    const scanner = createSecretScanner();
    expect(scanner.name).toBe('secrets');
    expect(scanner.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(scanner.wants('services/api/.env')).toBe(true);
    const ctx = { root: '/repo', paths: ['services/api/.env'], readFile: async () => null };
    const findings = await scanner.analyze({ path: 'services/api/.env', content: FIXTURE_ENV, size: FIXTURE_ENV.length }, ctx);
    expect(findings.map((f) => f.location.start_line)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('false-alarm suppression', () => {
  it.each([
    ['${GITHUB_TOKEN}', 'GITHUB_TOKEN=${GITHUB_TOKEN}'],
    ['{{ }}', 'api_key: "{{ .Values.apiKey }}"'],
    ['<token>', 'STRIPE_KEY=<sk_live_token>'],
    ['xxxx', 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    ['example', 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE'],
    ['changeme', 'DB_PASSWORD=changeme-in-prod-9f'],
    ['dummy', 'API_TOKEN=dummy_token_for_tests_9f8e7d'],
    ['your_..._here', 'SECRET_KEY=your_secret_key_here_123'],
    ['all same char', 'SESSION_SECRET=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    ['default db password', 'DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev'],
    ['code reference', 'const token = process.env.GITHUB_TOKEN_VALUE_FROM_CI;'],
    ['low entropy', 'password = "aaaabbbbaaaabbbb"'],
  ])('ignores %s', (_name, line) => {
    expect(scanText(line, 'src/config.ts')).toEqual([]);
  });

  it('reads unquoted generic values in source files as expressions, quoted ones as literals', () => {
    const value = 'Zq8xW2mN4vB6nM1kL3jH5gF7';
    const rules = (text: string, path: string) => scanText(text, path).map((f) => f.rule_id);
    expect(rules(`const apiKey = ${value};`, 'src/app.ts')).toEqual([]);
    expect(rules('export type V = { "secretRef": IIoK8sApiCoreV1SecretReference };', 'types/volume.d.ts')).toEqual([]);
    expect(rules(`const apiKey = '${value}';`, 'src/app.ts')).toEqual(['generic-api-key']);
    expect(rules(`API_KEY=${value}`, 'deploy/.env')).toEqual(['generic-api-key']);
    expect(rules(`api_key: ${value}`, 'config/app.yaml')).toEqual(['generic-api-key']);
  });

  it('isPlaceholder and entropy behave at the edges', () => {
    expect(isPlaceholder('${A}')).toBe(true);
    expect(isPlaceholder('zzzzzzzz')).toBe(true);
    expect(isPlaceholder(GH)).toBe(false);
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('abab')).toBeCloseTo(1);
    expect(shannonEntropy(AWS_SECRET)).toBeGreaterThan(5);
  });

  it('skips globally allowlisted paths and tells the walker so', () => {
    const scanner = createSecretScanner();
    for (const p of ['package-lock.json', 'web/pnpm-lock.yaml', 'public/app.min.js', 'vendor/lib/a.go', 'node_modules/x/index.js', 'img/logo.png']) {
      expect(scanner.wants(p), p).toBe(false);
      expect(scanText(`GITHUB_TOKEN=${GH}`, p), p).toEqual([]);
    }
    expect(scanner.wants('src/app.ts')).toBe(true);
    expect(scanText(`GITHUB_TOKEN=${GH}`, 'node_modules/x/index.js', { includeAllowlistedPaths: true })).toHaveLength(1);
  });

  it('skips binary content', () => {
    expect(scanText(`\u0000\u0001GITHUB_TOKEN=${GH}`, 'data.dat')).toEqual([]);
  });

  it('honours a rule-level path allowlist', () => {
    const rule: SecretRule = {
      id: 'test-token', description: 'test token', severity: 'high', regex: /(tt_[a-z0-9]{16})/, keywords: ['tt_'],
      allowlist: { paths: ['**/fixtures/**'] }, references: [], positives: [], negatives: [],
    };
    const rules = [rule];
    expect(scanText('k = tt_a1b2c3d4e5f6g7h8', 'src/a.ts', { rules })).toHaveLength(1);
    expect(scanText('k = tt_a1b2c3d4e5f6g7h8', 'test/fixtures/a.ts', { rules })).toEqual([]);
  });

  it('inline linkops:allow / gitleaks:allow suppress only their own line', () => {
    const text = `GITHUB_TOKEN=${GH} # linkops:allow\nAWS_ACCESS_KEY_ID=${AWS_ID} // gitleaks:allow\nSTRIPE_KEY=${STRIPE}\n`;
    const findings = scanText(text, '.env');
    expect(findings.map((f) => [f.rule_id, f.location.start_line])).toEqual([['stripe-secret-key', 3]]);
  });
});

describe('baseline and fingerprints', () => {
  it('a baseline suppresses accepted findings and nothing else', () => {
    const first = scanText(FIXTURE_ENV, 'services/api/.env');
    const accepted = first.filter((f) => f.rule_id === 'github-pat' || f.rule_id === 'stripe-secret-key').map((f) => f.fingerprint);
    const second = scanText(FIXTURE_ENV, 'services/api/.env', { baseline: accepted });
    expect(second.map((f) => f.rule_id).sort()).toEqual(['aws-access-key-id', 'aws-secret-access-key', 'slack-webhook-url']);
    const scanner = createSecretScanner({ baseline: new Set(accepted) });
    const viaScanner = scanner.analyze({ path: 'services/api/.env', content: FIXTURE_ENV, size: 1 }, { root: '', paths: [], readFile: async () => null });
    expect((viaScanner as Finding[]).length).toBe(3);
  });

  it('fingerprints are stable, path-specific and do not embed the secret', () => {
    const a = scanText(`GITHUB_TOKEN=${GH}`, 'a/.env')[0]!;
    const moved = scanText(`\n\n# moved down\nGITHUB_TOKEN=${GH}`, 'a/.env')[0]!;
    const other = scanText(`GITHUB_TOKEN=${GH}`, 'b/.env')[0]!;
    expect(moved.fingerprint).toBe(a.fingerprint);
    expect(moved.location.start_line).toBe(4);
    expect(other.fingerprint).not.toBe(a.fingerprint);
    expect(a.fingerprint).toBe(fingerprintOf('github-pat', 'a/.env', GH));
    expect(a.fingerprint.includes(GH.slice(4, 12))).toBe(false);
  });
});

describe('locations and evidence', () => {
  const key = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEA7v3sT0m4Pp9qZ2yW8xK1dL5nR6cB0aF3gH9jU2iV4oE7tY1w', 'Q8zX5cN2mB6vL9kJ3hG7fD1sA4pO0iU8yT2rE5wQ9zX3cV6bN1mL4kJ7hG0fD2s', 'A5pO9iU3yT6rE8wQ1zX4cV7bN0mL3kJ6hG9fD2sA5pO8iU1yT4rE7wQ0zX3c=', '-----END RSA PRIVATE KEY-----'];

  it('spans a PEM private key from BEGIN to END and redacts its body', () => {
    const text = ['# deploy key', ...key, 'other: value'].join('\n');
    const [f] = scanText(text, 'deploy/id_rsa');
    expect(f!.rule_id).toBe('private-key-rsa');
    expect(f!.location.start_line).toBe(2);
    expect(f!.location.end_line).toBe(6);
    expect(f!.evidence.startsWith('-----BEGIN RSA PRIVATE KEY----- MIIE…')).toBe(true);
    expect(JSON.stringify(f)).not.toContain('7v3sT0m4Pp9qZ2yW');
  });

  it('counts lines correctly with CRLF endings and in very long lines', () => {
    const crlf = `a=1\r\nb=2\r\nGITHUB_TOKEN=${GH}\r\n`;
    expect(scanText(crlf, 'x.env')[0]!.location.start_line).toBe(3);
    const longLine = `var a="${'q'.repeat(60_000)}";var t="${GH}";var b="${'z'.repeat(60_000)}";`;
    const findings = scanText(`first\n${longLine}\nlast`, 'dist/bundle.js');
    expect(findings.map((f) => [f.rule_id, f.location.start_line])).toEqual([['github-pat', 2]]);
    expect(findings[0]!.evidence.length).toBeLessThan(260);
  });

  it('reports two secrets on one line separately and redacts both in each evidence', () => {
    const line = `creds: {"id": "${AWS_ID}", "token": "${GH}"}`;
    const findings = scanText(line, 'c.yaml');
    expect(findings.map((f) => f.rule_id)).toEqual(['aws-access-key-id', 'github-pat']);
    for (const f of findings) expect(f.evidence).toBe('creds: {"id": "AKIA…", "token": "ghp_…"}');
  });

  it('on a line dense with secrets, reports each once with its neighbours redacted in its evidence', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `AKIA${String(i).padStart(4, '0')}QX7ZD4K2M9PL`);
    const line = keys.map((k, i) => `"k${i}":"${k}"`).join(',');
    const findings = scanText(`{${line}}`, 'dist/keys.json');
    expect(findings).toHaveLength(3000);
    expect(findings.map((f) => f.fingerprint)).toEqual([...new Set(findings.map((f) => f.fingerprint))]);
    const middle = findings[1500]!;
    expect(middle.evidence).toMatch(/^….*"k1500":"AKIA….*…$/);
    expect(middle.evidence.length).toBeLessThan(260);
    for (const f of [findings[0]!, middle, findings[2999]!]) {
      for (const k of keys) expect(f.evidence).not.toContain(k.slice(0, 8));
    }
    expect(findings[2999]!.evidence.endsWith('"k2999":"AKIA…"}')).toBe(true);
  });

  it('finds Kubernetes Secret data only in Secret manifests', () => {
    const value = Buffer.from('pr0d-Passw0rd-9f8e7d6c').toString('base64');
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${value}\n`;
    const found = scanText(secret, 'k8s/db-secret.yaml');
    expect(found.map((f) => [f.rule_id, f.location.start_line])).toEqual([['kubernetes-secret-data', 7]]);
    const configMap = scanText(secret.replace('kind: Secret', 'kind: ConfigMap'), 'k8s/cm.yaml');
    expect(configMap.filter((f) => f.rule_id === 'kubernetes-secret-data')).toEqual([]);
  });

  it('gives provider rules precedence over generic ones on the same text', () => {
    const findings = scanText(`api_token = "${GH}"`, 'settings.py');
    expect(findings.map((f) => f.rule_id)).toEqual(['github-pat']);
  });
});

describe('redact', () => {
  it('replaces planted secrets in prose with typed placeholders', () => {
    const prose = `I exported AKIAQX7ZD4K2M9PLN3TB to the runner, then pushed with ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u and it worked.`;
    const out = redact(prose);
    expect(out.text).toBe('I exported [REDACTED:aws-access-key-id] to the runner, then pushed with [REDACTED:github-pat] and it worked.');
    expect(out.redactions).toEqual([
      { type: 'aws-access-key-id', placeholder: '[REDACTED:aws-access-key-id]' },
      { type: 'github-pat', placeholder: '[REDACTED:github-pat]' },
    ]);
  });

  it('redacts even lines carrying allow comments, and leaves clean text untouched', () => {
    expect(redact(`token ${GH} # linkops:allow`).text).toBe('token [REDACTED:github-pat] # linkops:allow');
    const clean = 'Run kubectl rollout restart deploy/api and watch the pods.';
    expect(redact(clean)).toEqual({ text: clean, redactions: [] });
  });

  it('redacts connection-string passwords but keeps the rest of the URL', () => {
    expect(redact(`DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app`).text).toBe(
      'DATABASE_URL: postgres://app:[REDACTED:postgres-connection-string]@db:5432/app',
    );
  });
});

describe('scanHistory', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
  const commit = (message: string, author: string, date: string) =>
    execFileSync('git', ['-C', repo, 'commit', '-q', '-m', message, `--author=${author}`, `--date=${date}`], {
      env: { ...process.env, GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.org', GIT_COMMITTER_DATE: date },
    });

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'linkops-secrets-history-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'dev@example.org');
    git('config', 'user.name', 'dev');
    mkdirSync(join(repo, 'config'));
    writeFileSync(join(repo, 'config/app.env'), `PORT=3000\nLOG=debug\nGITHUB_TOKEN=${GH}\n`);
    git('add', '.');
    commit('add config', 'Alice <alice@example.org>', '2024-01-02T03:04:05Z');
    // The secret is removed from the tree, but it stays in history.
    writeFileSync(join(repo, 'config/app.env'), 'PORT=3000\nLOG=debug\nGITHUB_TOKEN=${GITHUB_TOKEN}\n');
    mkdirSync(join(repo, 'node_modules/x'), { recursive: true });
    writeFileSync(join(repo, 'node_modules/x/index.js'), `const t = "${STRIPE}";\n`);
    git('add', '-f', '.');
    commit('use env var', 'Bob <bob@example.org>', '2024-02-03T04:05:06Z');
    writeFileSync(join(repo, 'deploy.sh'), `#!/bin/sh\nexport AWS_ACCESS_KEY_ID=${AWS_ID}\necho ok\n`);
    writeFileSync(join(repo, 'config/app.env'), `PORT=3000\nLOG=debug\nGITHUB_TOKEN=\${GITHUB_TOKEN}\nGITHUB_TOKEN_BACKUP=${GH}\n`);
    git('add', '.');
    commit('deploy script', 'Carol <carol@example.org>', '2024-03-04T05:06:07Z');
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('reports secrets added by any commit, once, at the introducing commit', async () => {
    const findings = await scanHistory(repo);
    const hashes = git('log', '--reverse', '--format=%H').split('\n');
    const summary = findings.map((f) => [f.rule_id, f.location.path, f.location.start_line, f.location.author, f.location.commit]);
    expect(summary).toEqual([
      ['github-pat', 'config/app.env', 3, 'Alice <alice@example.org>', hashes[0]],
      ['aws-access-key-id', 'deploy.sh', 2, 'Carol <carol@example.org>', hashes[2]],
    ]);
    expect(findings[0]!.location.date).toBe('2024-01-02T03:04:05+00:00');
    for (const f of findings) expect(FindingSchema.parse(f)).toEqual(f);
    assertNoPlantedSecret(findings);
  });

  it('applies a baseline and rejects a directory that is not a repository', async () => {
    const all = await scanHistory(repo);
    const rest = await scanHistory(repo, { baseline: [all[0]!.fingerprint] });
    expect(rest.map((f) => f.rule_id)).toEqual(['aws-access-key-id']);
    const notRepo = mkdtempSync(join(tmpdir(), 'linkops-secrets-norepo-'));
    try {
      await expect(scanHistory(notRepo)).rejects.toThrow(/git log failed/);
    } finally {
      rmSync(notRepo, { recursive: true, force: true });
    }
  });
});
