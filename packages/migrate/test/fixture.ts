/** The acceptance fixture repository and a hand-built audit report for it (matching AuditReportSchema). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { AuditReport, Finding, ServiceInfo } from '@linkops/shared/contracts';
import { AuditReportSchema } from '@linkops/shared/contracts';

export const FIXTURE_FILES: Record<string, string> = {
  'services/api/package.json': '{"name":"api","version":"1.0.0","main":"index.js","dependencies":{"express":"4.17.1","lodash":"4.17.15","minimist":"1.2.0"}}\n',
  'services/api/index.js': [
    "const express = require('express');",
    "const { exec } = require('child_process');",
    'const app = express();',
    "app.get('/run', (req, res) => exec('ls ' + req.query.dir, (e, out) => res.send(out)));",
    "app.get('/health', (req, res) => res.send('ok'));",
    'app.listen(process.env.PORT || 3000);',
    '',
  ].join('\n'),
  'services/api/Dockerfile': ['FROM node:latest', 'ADD . /app', 'RUN cd /app && npm install', 'EXPOSE 3000', 'CMD npm start', ''].join('\n'),
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
    '',
  ].join('\n'),
  'services/worker/Dockerfile': ['FROM python:3.11-slim', 'COPY . /srv', 'RUN pip install -r /srv/requirements.txt', 'USER root', 'CMD ["python", "/srv/app.py"]', ''].join('\n'),
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
    '',
  ].join('\n'),
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
    '',
  ].join('\n'),
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
    '',
  ].join('\n'),
  // Planted fake credentials, exactly as the acceptance fixture has them.
  'services/api/.env': [
    'AWS_ACCESS_KEY_ID=AKIAQX7ZD4K2M9PLN3TB',
    'AWS_SECRET_ACCESS_KEY=k9Xb2Lq7Rt4Vw1Zy8Nc3Hd6Jf0Gs5Pa2Me7Qu4Wi',
    'GITHUB_TOKEN=ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u',
    'SLACK_WEBHOOK=https://hooks.slack.com/services/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',
    'STRIPE_KEY=sk_live_51Hq8ZtK3mN7pQ2rS5vW9xY1zA4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0dE2fG4h',
    '',
  ].join('\n'),
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

export interface FixtureRepo {
  dir: string;
  commit: string;
  readFile: (path: string) => string | null;
  cleanup: () => void;
}

export function buildRepo(files: Record<string, string> = FIXTURE_FILES): FixtureRepo {
  const dir = mkdtempSync(join(tmpdir(), 'linkops-migrate-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fixture');
  const commit = git(dir, 'rev-parse', 'HEAD').trim();
  const readFile = (p: string) => {
    const full = join(dir, p);
    return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : null;
  };
  return { dir, commit, readFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const fp = (s: string) => createHash('sha256').update(s).digest('hex');

function finding(rule_id: string, scanner: string, severity: Finding['severity'], path: string, line: number, title: string, extra: Partial<Finding> = {}): Finding {
  return {
    rule_id,
    scanner,
    severity,
    title,
    message: title,
    location: { path, start_line: line, end_line: line },
    evidence: '',
    remediation: '',
    references: [],
    fingerprint: fp(`${rule_id}|${path}|${line}`),
    ...extra,
  };
}

function service(partial: Partial<ServiceInfo> & { name: string }): ServiceInfo {
  return {
    path: null,
    languages: [],
    runtime: null,
    frameworks: [],
    entrypoint: null,
    ports: [],
    infrastructure: [],
    depends_on: [],
    env: [],
    image: null,
    health_path: null,
    assets: { dockerfile: null, compose: [], kubernetes: [], helm: [], kustomize: [], gitops: [], ci: [] },
    notes: [],
    ...partial,
  };
}

export function fixtureReport(commit: string, repoUrl = 'https://github.com/example/shop.git'): AuditReport {
  const ci = ['.github/workflows/ci.yml'];
  const report: AuditReport = {
    schema_version: '1.0.0',
    scan_id: 'scan-fixture',
    repo_url: repoUrl,
    ref: 'main',
    commit,
    created_at: '2025-01-01T00:00:00.000Z',
    engines: [],
    timings: {},
    inventory: { files: 10, bytes: 2000, skipped: {}, languages: [] },
    services: [
      service({
        name: 'api',
        path: 'services/api',
        runtime: 'node',
        frameworks: ['express'],
        entrypoint: 'index.js',
        ports: [3000],
        infrastructure: ['postgres'],
        depends_on: ['db', 'worker'],
        env: ['DATABASE_URL', 'PORT'],
        health_path: '/health',
        assets: { dockerfile: 'services/api/Dockerfile', compose: ['docker-compose.yml'], kubernetes: ['k8s/api.yaml'], helm: [], kustomize: [], gitops: [], ci },
      }),
      service({
        name: 'worker',
        path: 'services/worker',
        runtime: 'python',
        frameworks: ['flask'],
        entrypoint: 'app.py',
        ports: [5000],
        assets: { dockerfile: 'services/worker/Dockerfile', compose: ['docker-compose.yml'], kubernetes: [], helm: [], kustomize: [], gitops: [], ci },
        notes: ['compose: privileged: true'],
      }),
      service({ name: 'db', runtime: 'image', image: 'postgres', ports: [5432], assets: { dockerfile: null, compose: ['docker-compose.yml'], kubernetes: [], helm: [], kustomize: [], gitops: [], ci: [] } }),
    ],
    edges: [],
    score: 21,
    checks: [],
    summary: { total: 11, by_severity: { critical: 3, high: 2, medium: 3, low: 3, info: 0 }, by_scanner: {} },
    findings: [
      finding('dockerfile.latest-tag', 'dockerfile', 'medium', 'services/api/Dockerfile', 1, 'Base image uses latest', { references: ['hadolint:DL3007'], fix: { kind: 'dockerfile.pin-base', image: 'node', suggested: 'node:20-bookworm-slim' } }),
      finding('dockerfile.add', 'dockerfile', 'low', 'services/api/Dockerfile', 2, 'ADD instead of COPY', { references: ['hadolint:DL3020'] }),
      finding('dockerfile.cd', 'dockerfile', 'low', 'services/api/Dockerfile', 3, 'cd in RUN', { references: ['hadolint:DL3003'] }),
      finding('dockerfile.shell-form', 'dockerfile', 'low', 'services/api/Dockerfile', 5, 'CMD in shell form', { references: ['hadolint:DL3025'] }),
      finding('dockerfile.no-user', 'dockerfile', 'high', 'services/api/Dockerfile', 1, 'Container runs as root', { references: ['hadolint:DL3002'] }),
      finding('dockerfile.user-root', 'dockerfile', 'high', 'services/worker/Dockerfile', 4, 'USER root', { references: ['hadolint:DL3002'], fix: { kind: 'dockerfile.non-root' } }),
      finding('workflow.unpinned-action', 'workflow', 'medium', '.github/workflows/ci.yml', 7, 'Action not pinned to a SHA', { references: ['zizmor:unpinned-uses'] }),
      finding('workflow.no-permissions', 'workflow', 'medium', '.github/workflows/ci.yml', 1, 'No top-level permissions', { references: ['zizmor:excessive-permissions'] }),
      finding('workflow.pull-request-target', 'workflow', 'critical', '.github/workflows/ci.yml', 2, 'Dangerous pull_request_target checkout'),
      finding('k8s.privileged', 'kubernetes', 'critical', 'k8s/api.yaml', 14, 'Privileged container'),
      finding('secrets.aws-access-key', 'secrets', 'critical', 'services/api/.env', 1, 'AWS access key', { evidence: 'AKIA…' }),
    ],
    warnings: [],
    data: {},
  };
  return AuditReportSchema.parse(report);
}
