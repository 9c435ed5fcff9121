import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Files of a small multi-service repository with planted problems (synthetic secrets only). */
export const FIXTURE_FILES: Record<string, string> = {
  'services/api/package.json': '{"name":"api","version":"1.0.0","main":"index.js","dependencies":{"express":"4.17.1","lodash":"4.17.15","minimist":"1.2.0"}}\n',
  'services/api/index.js': `const express = require('express');
const { exec } = require('child_process');
const app = express();
app.get('/run', (req, res) => exec('ls ' + req.query.dir, (e, out) => res.send(out)));
app.get('/health', (req, res) => res.send('ok'));
app.listen(process.env.PORT || 3000);
`,
  'services/api/Dockerfile': 'FROM node:latest\nADD . /app\nRUN cd /app && npm install\nEXPOSE 3000\nCMD npm start\n',
  'services/worker/requirements.txt': 'flask==0.12.2\npyyaml==5.3\nrequests==2.19.0\n',
  'services/worker/app.py': `import yaml, subprocess
from flask import Flask, request
app = Flask(__name__)
@app.route("/job")
def job():
    cfg = yaml.load(request.data)
    subprocess.call("echo " + request.args.get("x"), shell=True)
    return "ok"
if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
`,
  'services/worker/Dockerfile': 'FROM python:3.11-slim\nCOPY . /srv\nRUN pip install -r /srv/requirements.txt\nUSER root\nCMD ["python", "/srv/app.py"]\n',
  'docker-compose.yml': `services:
  api:
    build: services/api
    ports: ["3000:3000"]
    environment:
      DATABASE_URL: postgres://app:Sup3rS3cretPassw0rd@db:5432/app
    depends_on: [db, worker]
  worker:
    build: services/worker
    privileged: true
    ports: ["5000:5000"]
  db:
    image: postgres
    ports: ["5432:5432"]
`,
  'k8s/api.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      hostNetwork: true
      containers:
      - name: api
        image: example/api:latest
        securityContext: {privileged: true, allowPrivilegeEscalation: true}
        ports: [{containerPort: 3000}]
`,
  '.github/workflows/ci.yml': `name: ci
on: [pull_request_target]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {ref: "\${{ github.event.pull_request.head.sha }}"}
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: curl -sL https://example.com/install.sh | sh
`,
  'services/api/.env': [
    'AWS_ACCESS_KEY_ID=AKIAQX7ZD4K2M9PLN3TB',
    'AWS_SECRET_ACCESS_KEY=k9Xb2Lq7Rt4Vw1Zy8Nc3Hd6Jf0Gs5Pa2Me7Qu4Wi',
    'GITHUB_TOKEN=ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u',
    'SLACK_WEBHOOK=https://hooks.slack.com/services/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',
    'STRIPE_KEY=sk_live_51Hq8ZtK3mN7pQ2rS5vW9xY1zA4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0dE2fG4h',
    '',
  ].join('\n'),
};

/** The values planted above, which must never appear in full in any output. */
export const PLANTED_SECRETS = [
  'AKIAQX7ZD4K2M9PLN3TB',
  'k9Xb2Lq7Rt4Vw1Zy8Nc3Hd6Jf0Gs5Pa2Me7Qu4Wi',
  'ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u',
  'x7Y8z9A0b1C2d3E4f5G6h7I8',
  'sk_live_51Hq8ZtK3mN7pQ2rS5vW9xY1zA4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0dE2fG4h',
  'Sup3rS3cretPassw0rd',
];

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
}

/** Writes files into a fresh git repository with one commit; returns its path. */
export function makeRepo(files: Record<string, string> = FIXTURE_FILES, label = 'fixture'): string {
  const dir = mkdtempSync(join(tmpdir(), `linkops-${label}-`));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  git(dir, 'init', '-q', '-b', 'main', '.');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}
