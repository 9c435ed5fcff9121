import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FindingSchema, type Finding, type ScanContext } from '@linkops/shared/contracts';
import { createMisconfigScanners, type MisconfigScannerOptions } from '../src/index.js';
import { hardenedManifests } from '../src/kubernetes/vectors.js';

/** The acceptance fixture repository (see the brief), file by file. */
const FIXTURE: Record<string, string> = {
  'services/api/package.json': '{"name":"api","version":"1.0.0","main":"index.js","dependencies":{"express":"4.17.1","lodash":"4.17.15","minimist":"1.2.0"}}\n',
  'services/api/index.js': [
    "const express = require('express');",
    "const { exec } = require('child_process');",
    'const app = express();',
    "app.get('/run', (req, res) => exec('ls ' + req.query.dir, (e, out) => res.send(out)));",
    "app.get('/health', (req, res) => res.send('ok'));",
    'app.listen(process.env.PORT || 3000);',
  ].join('\n') + '\n',
  'services/api/Dockerfile': 'FROM node:latest\nADD . /app\nRUN cd /app && npm install\nEXPOSE 3000\nCMD npm start\n',
  'services/worker/requirements.txt': 'flask==0.12.2\npyyaml==5.3\nrequests==2.19.0\n',
  'services/worker/app.py': [
    'import yaml, subprocess',
    'from flask import Flask, request',
    'app = Flask(__name__)',
    '@app.route("/job")',
    'def job():',
    '    cfg = yaml.load(request.data)',
    '    subprocess.call("echo " + request.args.get("x"), shell=True)',
    '    return "ok"',
    'if __name__ == "__main__":',
    '    app.run(host="0.0.0.0", port=5000, debug=True)',
  ].join('\n') + '\n',
  'services/worker/Dockerfile': 'FROM python:3.11-slim\nCOPY . /srv\nRUN pip install -r /srv/requirements.txt\nUSER root\nCMD ["python", "/srv/app.py"]\n',
  'docker-compose.yml': [
    'services:',
    '  api:',
    '    build: services/api',
    '    ports: ["3000:3000"]',
    '    environment:',
    '      DATABASE_URL: postgres://app:Sup3rS3cretPassw0rd@db:5432/app',
    '    depends_on: [db, worker]',
    '  worker:',
    '    build: services/worker',
    '    privileged: true',
    '    ports: ["5000:5000"]',
    '  db:',
    '    image: postgres',
    '    ports: ["5432:5432"]',
  ].join('\n') + '\n',
  'k8s/api.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: api}',
    'spec:',
    '  replicas: 1',
    '  selector: {matchLabels: {app: api}}',
    '  template:',
    '    metadata: {labels: {app: api}}',
    '    spec:',
    '      hostNetwork: true',
    '      containers:',
    '      - name: api',
    '        image: example/api:latest',
    '        securityContext: {privileged: true, allowPrivilegeEscalation: true}',
    '        ports: [{containerPort: 3000}]',
  ].join('\n') + '\n',
  '.github/workflows/ci.yml': [
    'name: ci',
    'on: [pull_request_target]',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '        with: {ref: "${{ github.event.pull_request.head.sha }}"}',
    '      - run: echo "${{ github.event.pull_request.title }}"',
    '      - run: curl -sL https://example.com/install.sh | sh',
  ].join('\n') + '\n',
  'services/api/.env': 'AWS_ACCESS_KEY_ID=AKIAQX7ZD4K2M9PLN3TB\nGITHUB_TOKEN=ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u\n',
};

/** The acceptance probes: (path part, regex over the serialized finding). */
const PROBES: Array<[string, RegExp]> = [
  ['services/api/Dockerfile', /DL3007|latest/i], ['services/api/Dockerfile', /DL3020|\bADD\b/i],
  ['services/api/Dockerfile', /DL3025|exec.?form|json.?form|shell.?form/i], ['services/api/Dockerfile', /DL3002|non.?root|USER/i],
  ['services/worker/Dockerfile', /DL3002|root/i], ['k8s/api.yaml', /privileged/i], ['k8s/api.yaml', /hostNetwork|host.?network/i],
  ['k8s/api.yaml', /latest|image.?tag/i], ['k8s/api.yaml', /resource|limit/i], ['k8s/api.yaml', /probe/i],
  ['k8s/api.yaml', /escalation/i], ['docker-compose.yml', /privileged/i],
  ['.github/workflows/ci.yml', /pin|sha/i], ['.github/workflows/ci.yml', /pull_request_target|dangerous/i],
  ['.github/workflows/ci.yml', /injection|github\.event/i], ['.github/workflows/ci.yml', /curl|pipe/i],
  ['services/api/index.js', /exec|command|CWE-78/i], ['services/worker/app.py', /yaml|deserial|CWE-502/i],
  ['services/worker/app.py', /shell|CWE-78/i], ['services/worker/app.py', /debug/i],
];

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function writeRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'misconfig-fixture-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** Runs the scanners the way the scan registry does: wants → analyze per file, then finish. */
async function scanRepo(files: Record<string, string>, options?: MisconfigScannerOptions): Promise<{ findings: Finding[]; warnings: string[] }> {
  const root = writeRepo(files);
  const paths = Object.keys(files).sort();
  const ctx: ScanContext = {
    root,
    paths,
    readFile: async (p) => { try { return readFileSync(join(root, p), 'utf8'); } catch { return null; } },
  };
  const findings: Finding[] = [];
  const warnings: string[] = [];
  for (const scanner of createMisconfigScanners(options)) {
    for (const path of paths) {
      if (!scanner.wants(path)) continue;
      const content = files[path]!;
      findings.push(...(await scanner.analyze({ path, content, size: content.length }, ctx)));
    }
    if (scanner.finish) {
      const out = await scanner.finish(ctx);
      findings.push(...out.findings);
      warnings.push(...out.warnings);
    }
  }
  return { findings, warnings };
}

const at = (findings: Finding[], path: string, ruleId: string) => findings.filter((f) => f.location.path === path && f.rule_id === ruleId).map((f) => f.location.start_line);

describe('acceptance fixture repository', () => {
  it('reports every probe concept at the right file, with exact lines and peer ids', async () => {
    const { findings } = await scanRepo(FIXTURE);
    for (const f of findings) expect(() => FindingSchema.parse(f)).not.toThrow();

    const serialized = findings.map((f) => ({ path: f.location.path, text: JSON.stringify(f) }));
    const missed = PROBES.filter(([path, re]) => !serialized.some((s) => s.path.includes(path) && re.test(s.text)));
    expect(missed).toEqual([]);

    const peers = new Set(serialized.flatMap((s) => [...s.text.matchAll(/"((?:hadolint|polaris|kube-score|trivy|checkov|zizmor):[A-Za-z0-9_.-]+)"/g)].map((m) => m[1])));
    expect(peers.size).toBeGreaterThanOrEqual(8);

    expect(at(findings, 'services/api/Dockerfile', 'dockerfile.base-image-latest')).toEqual([1]);
    expect(at(findings, 'services/api/Dockerfile', 'dockerfile.add-instead-of-copy')).toEqual([2]);
    expect(at(findings, 'services/api/Dockerfile', 'dockerfile.cd-in-run')).toEqual([3]);
    expect(at(findings, 'services/api/Dockerfile', 'dockerfile.npm-install-not-ci')).toEqual([3]);
    expect(at(findings, 'services/api/Dockerfile', 'dockerfile.shell-form-cmd')).toEqual([5]);
    expect(at(findings, 'services/api/Dockerfile', 'dockerfile.no-user')).toEqual([1]);
    expect(at(findings, 'services/worker/Dockerfile', 'dockerfile.last-user-root')).toEqual([4]);
    expect(at(findings, 'services/worker/Dockerfile', 'dockerfile.copy-context-before-install')).toEqual([2]);
    expect(at(findings, 'services/api/index.js', 'sast.js.child-process-injection')).toEqual([4]);
    expect(at(findings, 'services/worker/app.py', 'sast.py.yaml-load')).toEqual([6]);
    expect(at(findings, 'services/worker/app.py', 'sast.py.subprocess-shell')).toEqual([7]);
    expect(at(findings, 'services/worker/app.py', 'sast.py.flask-debug')).toEqual([10]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.host-network')).toEqual([10]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.privileged')).toEqual([14]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.allow-privilege-escalation')).toEqual([14]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.image-tag')).toEqual([13]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.memory-limits-missing')).toEqual([12]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.readiness-probe-missing')).toEqual([12]);
    expect(at(findings, 'k8s/api.yaml', 'k8s.missing-network-policy')).toEqual([3]);
    expect(at(findings, 'docker-compose.yml', 'compose.privileged')).toEqual([10]);
    expect(at(findings, 'docker-compose.yml', 'compose.secret-in-environment')).toEqual([6]);
    expect(at(findings, 'docker-compose.yml', 'compose.image-latest')).toEqual([13]);
    expect(at(findings, 'docker-compose.yml', 'compose.database-port-exposed')).toEqual([14]);
    expect(at(findings, '.github/workflows/ci.yml', 'gha.unpinned-action')).toEqual([7]);
    expect(at(findings, '.github/workflows/ci.yml', 'gha.dangerous-trigger')).toEqual([2]);
    expect(at(findings, '.github/workflows/ci.yml', 'gha.untrusted-checkout')).toEqual([8]);
    expect(at(findings, '.github/workflows/ci.yml', 'gha.template-injection')).toEqual([9]);
    expect(at(findings, '.github/workflows/ci.yml', 'gha.curl-pipe-shell')).toEqual([10]);

    // Scanner names are the categories.
    expect(new Set(findings.map((f) => f.scanner))).toEqual(new Set(['dockerfile', 'kubernetes', 'compose', 'github-actions', 'sast']));
  });

  it('never returns the planted secrets in full', async () => {
    const { findings } = await scanRepo(FIXTURE);
    const blob = JSON.stringify(findings);
    expect(blob).not.toContain('Sup3rS3cretPassw0rd');
    expect(blob).toContain('post…');
  });

  it('reports no high or critical finding on a hardened repository', async () => {
    const clean: Record<string, string> = {
      'Dockerfile': [
        'FROM node:20.17-bookworm-slim@sha256:' + 'c'.repeat(64) + ' AS build',
        'WORKDIR /app',
        'COPY package.json package-lock.json ./',
        'RUN npm ci --omit=dev',
        'COPY src ./src',
        'FROM gcr.io/distroless/nodejs20-debian12:nonroot',
        'WORKDIR /app',
        'COPY --from=build /app /app',
        'USER 10001',
        'EXPOSE 8080',
        'HEALTHCHECK --interval=30s CMD ["/nodejs/bin/node", "/app/src/health.js"]',
        'CMD ["/app/src/server.js"]',
      ].join('\n') + '\n',
      'deploy/app.yaml': hardenedManifests(),
      '.github/workflows/ci.yml': [
        'name: ci',
        'on: [pull_request]',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    timeout-minutes: 15',
        '    steps:',
        '      - uses: actions/checkout@692973e3d937129bcbf40652eb9f2f61becf3332 # v4.1.7',
        '        with:',
        '          persist-credentials: false',
        '      - run: npm ci && npm test',
      ].join('\n') + '\n',
      'src/server.js': "import http from 'node:http';\nhttp.createServer((req, res) => res.end('ok')).listen(8080);\n",
    };
    const { findings } = await scanRepo(clean);
    const serious = findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
    expect(serious.map((f) => `${f.location.path}:${f.location.start_line} ${f.rule_id}`)).toEqual([]);
    // The hardened Deployment also has its NetworkPolicy and PDB: no cross-file finding.
    expect(findings.filter((f) => f.rule_id.startsWith('k8s.'))).toEqual([]);
  });
});

describe('kustomize and helm', () => {
  const base: Record<string, string> = {
    'deploy/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'deploy/base/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx:1.27',
    ].join('\n') + '\n',
    'deploy/overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\nnamePrefix: prod-\npatches:\n  - path: privileged.yaml\n',
    'deploy/overlays/prod/privileged.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        securityContext:\n          privileged: true\n',
  };

  it('builds kustomize overlays with kubectl and maps findings back to source files', async () => {
    const { findings, warnings } = await scanRepo(base);
    expect(warnings.filter((w) => w.includes('failed'))).toEqual([]);
    // privileged: true only exists after the overlay patch is applied.
    const privileged = findings.filter((f) => f.rule_id === 'k8s.privileged');
    expect(privileged.length).toBe(1);
    expect(privileged[0]!.location.path).toBe('deploy/base/deployment.yaml');
    expect(findings.filter((f) => f.rule_id === 'k8s.image-pull-policy').map((f) => [f.location.path, f.location.start_line])).toEqual([['deploy/base/deployment.yaml', 12]]);
    // The patch file is never scanned on its own.
    expect(findings.some((f) => f.location.path.endsWith('privileged.yaml'))).toBe(false);
  });

  it('scans kustomize files as they are without kubectl', async () => {
    const { findings } = await scanRepo(base, { kubectl: null });
    expect(findings.some((f) => f.rule_id === 'k8s.image-pull-policy' && f.location.path === 'deploy/base/deployment.yaml')).toBe(true);
  });

  it('skips Helm templates with a note and checks values.yaml image tags', async () => {
    const { findings, warnings } = await scanRepo({
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/values.yaml': 'replicaCount: 2\nimage:\n  repository: example/web\n  tag: latest\n',
      'charts/web/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
    });
    expect(warnings.some((w) => w.includes('charts/web') && w.includes('skipped'))).toBe(true);
    expect(findings.map((f) => [f.rule_id, f.location.path, f.location.start_line])).toEqual([['k8s.helm-values-image-tag', 'charts/web/values.yaml', 4]]);
  });
});
