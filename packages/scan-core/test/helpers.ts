import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `scan-core-${prefix}-`));
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=Test', '-c', 'init.defaultBranch=main', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** git init + one commit of the given files; returns the commit sha. */
export function makeRepo(root: string, files: Record<string, string | Buffer>): string {
  writeTree(root, files);
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'initial');
  return git(root, 'rev-parse', 'HEAD');
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function remove(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const fsReader = (root: string) => (p: string) => readFile(path.join(root, p), 'utf8').catch(() => null);

/** The acceptance fixture, verbatim from the brief. */
export const FIXTURE: Record<string, string> = {
  'services/api/package.json': '{"name":"api","version":"1.0.0","main":"index.js","dependencies":{"express":"4.17.1","lodash":"4.17.15","minimist":"1.2.0"}}\n',
  'services/api/index.js': `const express = require('express');
const { exec } = require('child_process');
const app = express();
app.get('/run', (req, res) => exec('ls ' + req.query.dir, (e, out) => res.send(out)));
app.get('/health', (req, res) => res.send('ok'));
app.listen(process.env.PORT || 3000);
`,
  'services/api/Dockerfile': `FROM node:latest
ADD . /app
RUN cd /app && npm install
EXPOSE 3000
CMD npm start
`,
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
  'services/worker/Dockerfile': `FROM python:3.11-slim
COPY . /srv
RUN pip install -r /srv/requirements.txt
USER root
CMD ["python", "/srv/app.py"]
`,
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
  'services/api/.env': `AWS_ACCESS_KEY_ID=AKIAQX7ZD4K2M9PLN3TB
AWS_SECRET_ACCESS_KEY=k9Xb2Lq7Rt4Vw1Zy8Nc3Hd6Jf0Gs5Pa2Me7Qu4Wi
GITHUB_TOKEN=ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u
SLACK_WEBHOOK=https://hooks.slack.com/services/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
STRIPE_KEY=sk_live_51Hq8ZtK3mN7pQ2rS5vW9xY1zA4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8bC0dE2fG4h
`,
};

const PINNED = '0123456789abcdef0123456789abcdef01234567';

/**
 * A hardened multi-service repo: non-root pinned Dockerfiles, lockfiles, a Helm chart per service
 * with probes and limits, kustomize overlays, Argo CD apps, pinned CI that builds images, policies.
 */
export function hardenedRepo(): Record<string, string> {
  const chart = (name: string, port: number) => ({
    [`deploy/charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
    [`deploy/charts/${name}/values.yaml`]: `image:\n  repository: ghcr.io/acme/${name}\n  tag: "1.0.0"\nresources:\n  limits:\n    cpu: 500m\n    memory: 256Mi\n`,
    [`deploy/charts/${name}/values-staging.yaml`]: 'replicaCount: 1\n',
    [`deploy/charts/${name}/values-prod.yaml`]: 'replicaCount: 3\n',
    [`deploy/charts/${name}/templates/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: ${name}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports: [{containerPort: ${port}}]
          livenessProbe: {httpGet: {path: /healthz, port: ${port}}}
          readinessProbe: {httpGet: {path: /healthz, port: ${port}}}
          resources: {{- toYaml .Values.resources | nindent 12 }}
`,
    [`deploy/argocd/${name}.yaml`]: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://github.com/acme/shop, path: deploy/charts/${name}, targetRevision: main}
  destination: {server: https://kubernetes.default.svc, namespace: ${name}}
`,
  });
  return {
    'SECURITY.md': '# Security\nReport issues to security@example.com.\n',
    '.github/CODEOWNERS': '* @acme/platform\n',
    '.github/dependabot.yml': 'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule: {interval: weekly}\n',
    '.github/workflows/ci.yml': `name: ci
on: [push]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@${PINNED}
      - uses: docker/build-push-action@${PINNED}
        with: {context: services/web, push: false}
      - run: docker build -t shop/api services/api
`,
    'services/web/package.json': '{"name":"web","dependencies":{"fastify":"4.28.1","ioredis":"5.4.1"},"scripts":{"start":"node server.js"}}\n',
    'services/web/package-lock.json': '{"lockfileVersion":3}\n',
    'services/web/server.js': `import Fastify from 'fastify';
const app = Fastify();
app.get('/healthz', async () => 'ok');
app.listen({ port: Number(process.env.PORT ?? 8080), host: '0.0.0.0' });
`,
    'services/web/Dockerfile': `FROM node:20.11-bookworm-slim AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
FROM gcr.io/distroless/nodejs20-debian12@sha256:${'a'.repeat(64)}
COPY --from=build /app /app
USER 10001
EXPOSE 8080
CMD ["server.js"]
`,
    'services/api/go.mod': 'module github.com/acme/api\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\nrequire github.com/lib/pq v1.10.9\n',
    'services/api/go.sum': 'github.com/gin-gonic/gin v1.10.0 h1:x\n',
    'services/api/main.go': `package main

import "github.com/gin-gonic/gin"

func main() {
\tr := gin.Default()
\tr.GET("/readyz", func(c *gin.Context) { c.String(200, "ok") })
\tr.Run(":9090")
}
`,
    'services/api/Dockerfile': `FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
RUN go build -o /api .
FROM alpine:3.20
COPY --from=build /api /api
USER nobody
EXPOSE 9090
ENTRYPOINT ["/api"]
`,
    'deploy/kustomize/base/kustomization.yaml': 'resources: []\n',
    'deploy/kustomize/overlays/staging/kustomization.yaml': 'resources: [../../base]\n',
    'deploy/kustomize/overlays/prod/kustomization.yaml': 'resources: [../../base]\n',
    ...chart('web', 8080),
    ...chart('api', 9090),
  };
}

/** A richer repo: compose with build contexts, two languages, a k8s folder, an env-URL edge. */
export function richRepo(): Record<string, string> {
  return {
    'docker-compose.yaml': `services:
  frontend:
    build: {context: ./apps/frontend, dockerfile: Dockerfile}
    ports: ["8080:80"]
    environment:
      - API_URL=http://backend:8000/api
      - NODE_ENV=production
    depends_on: {backend: {condition: service_healthy}}
    volumes: ["./apps/frontend/static:/usr/share/static"]
  backend:
    build: ./apps/backend
    env_file: .env.backend
    environment:
      REDIS_URL: redis://cache:6379/0
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8000/healthz"]}
  cache:
    image: redis:7.2-alpine
  queue:
    image: rabbitmq:3-management
`,
    'apps/frontend/package.json': '{"name":"frontend","dependencies":{"next":"14.2.0","react":"18.3.0"},"scripts":{"start":"next start"}}\n',
    'apps/frontend/pages/index.tsx': 'export default function Home() { return null; }\n'.repeat(5),
    'apps/frontend/Dockerfile': 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nHEALTHCHECK CMD wget -qO- http://localhost:80/ || exit 1\nEXPOSE 80\nCMD ["npm","start"]\n',
    'apps/frontend/node_modules/left-pad/package.json': '{"name":"left-pad"}\n',
    'apps/backend/pyproject.toml': '[project]\nname = "backend"\ndependencies = [\n  "fastapi>=0.110",\n  "redis>=5.0",\n  "uvicorn>=0.29",\n]\n',
    'apps/backend/backend/__main__.py': `import os
import uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/healthz")
def health():
    return {"ok": True}
if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
`,
    'apps/backend/backend/tasks.py': 'import os\nBROKER = os.getenv("BROKER_URL")\n',
    'apps/backend/Dockerfile': 'FROM python:3.12-slim\nCOPY . /app\nRUN pip install /app\nUSER app\nCMD ["python", "-m", "backend"]\n',
    'apps/backend/tests/fixtures/package.json': '{"name":"not-a-service"}\n',
    'k8s/backend.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, labels: {app: backend}}
spec:
  template:
    spec:
      containers:
        - name: backend
          image: ghcr.io/acme/backend:1.2.3
          resources: {limits: {cpu: 500m, memory: 512Mi}}
          readinessProbe: {httpGet: {path: /healthz, port: 8000}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{port: 8000}]}
`,
    'k8s/frontend.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  template:
    spec:
      containers:
        - name: frontend
          image: ghcr.io/acme/frontend:1.2.3
`,
  };
}
