import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindingSchema, type Finding } from '@linkops/shared';
import { checkCompose, checkDockerfile, checkKubernetes, checkSast, checkWorkflow } from '@linkops/misconfig';
import { hardenedManifests } from '../../packages/misconfig/src/kubernetes/vectors.js';
import { FIXTURE_FILES } from '../helpers/fixture-repo.js';
import { guarded, jsonish, mutated, nastyString, structuredYaml, yamlish, runs, fuzzTimeout } from './arbitraries.js';

function checkFindings(label: string, input: string, findings: Finding[]): void {
  expect(Array.isArray(findings)).toBe(true);
  for (const f of findings) {
    const r = FindingSchema.safeParse(f);
    if (!r.success) throw new Error(`${label}: finding does not match the contract (${r.error.issues[0]?.message} at ${r.error.issues[0]?.path.join('.')})\ninput: ${JSON.stringify(input.slice(0, 300))}`);
    expect(f.location.end_line).toBeGreaterThanOrEqual(f.location.start_line);
  }
}

const DOCKERFILE_SEEDS = [
  FIXTURE_FILES['services/api/Dockerfile']!,
  FIXTURE_FILES['services/worker/Dockerfile']!,
  [
    '# syntax=docker/dockerfile:1',
    'ARG BASE=node:20-alpine',
    'FROM ${BASE} AS build',
    'WORKDIR /src',
    'COPY --chown=node:node package*.json ./',
    'RUN --mount=type=cache,target=/root/.npm npm ci && \\',
    '    npm run build',
    'FROM gcr.io/distroless/nodejs20@sha256:' + 'a'.repeat(64),
    'COPY --from=build /src/dist /app',
    'USER 65532:65532',
    'HEALTHCHECK CMD ["node", "/app/health.js"]',
    'ENTRYPOINT ["node", "/app/index.js"]',
    'RUN <<EOF',
    'apt-get update && apt-get install -y curl',
    'EOF',
  ].join('\n'),
];
const K8S_SEEDS = [FIXTURE_FILES['k8s/api.yaml']!, hardenedManifests()];
const COMPOSE_SEEDS = [FIXTURE_FILES['docker-compose.yml']!];
const WORKFLOW_SEEDS = [
  FIXTURE_FILES['.github/workflows/ci.yml']!,
  'name: release\non:\n  push: {tags: ["v*"]}\npermissions: write-all\njobs:\n  r:\n    runs-on: ${{ matrix.os }}\n    strategy: {matrix: {os: [ubuntu-latest]}}\n    steps:\n      - uses: docker/login-action@v3\n        with: {password: "${{ secrets.TOKEN }}"}\n      - run: |\n          echo "${{ github.head_ref }}"\n          curl https://x | bash\n',
];
const SAST_SEEDS: Array<[string, string]> = [
  ['services/api/index.js', FIXTURE_FILES['services/api/index.js']!],
  ['services/worker/app.py', FIXTURE_FILES['services/worker/app.py']!],
  ['cmd/main.go', 'package main\nimport ("os/exec"; "net/http"; "database/sql")\nfunc h(w http.ResponseWriter, r *http.Request) {\n  exec.Command("sh", "-c", r.URL.Query().Get("x")).Run()\n  db.Query("SELECT * FROM t WHERE id=" + r.FormValue("id"))\n}\n'],
  ['src/main/java/A.java', 'class A { void f(HttpServletRequest r) throws Exception { Runtime.getRuntime().exec(r.getParameter("c")); new java.security.MessageDigest("MD5"); } }\n'],
];

const text = (seeds: string[], keys: string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: nastyString },
    { weight: 1, arbitrary: jsonish },
    { weight: 2, arbitrary: yamlish },
    { weight: 3, arbitrary: structuredYaml(keys) },
    { weight: 4, arbitrary: fc.constantFrom(...seeds).chain((s) => mutated(s)) },
  );

const K8S_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'template', 'containers', 'initContainers', 'securityContext', 'image', 'ports', 'resources', 'limits', 'selector', 'matchLabels', 'labels', 'volumes', 'hostPath', 'env', 'valueFrom', 'Deployment', 'Pod', 'CronJob', 'jobTemplate', 'namespace', 'rules', 'subjects'];
const COMPOSE_KEYS = ['services', 'image', 'build', 'ports', 'environment', 'privileged', 'volumes', 'cap_add', 'network_mode', 'user', 'secrets', 'healthcheck', 'depends_on', 'x-common', '<<'];
const WORKFLOW_KEYS = ['on', 'jobs', 'steps', 'uses', 'run', 'with', 'permissions', 'runs-on', 'env', 'pull_request_target', 'workflow_run', 'if', 'needs', 'secrets', 'strategy', 'matrix', 'container'];

describe('fuzz: misconfiguration checkers never throw or hang', { timeout: fuzzTimeout() }, () => {
  it('checkDockerfile', async () => {
    const lines = fc.array(
      fc.tuple(fc.constantFrom('FROM', 'RUN', 'COPY', 'ADD', 'USER', 'ARG', 'ENV', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'ONBUILD', 'from', 'SHELL', 'LABEL', 'EXPOSE', 'WORKDIR'), nastyString),
      { maxLength: 20 },
    ).map((ls) => ls.map(([i, a]) => `${i} ${a}`).join('\n'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(text(DOCKERFILE_SEEDS, ['FROM']), lines), async (content) => {
        checkFindings('checkDockerfile', content, await guarded('checkDockerfile', () => checkDockerfile(content, 'Dockerfile')));
      }),
      { numRuns: runs(250) },
    );
  });

  it('checkKubernetes', async () => {
    await fc.assert(
      fc.asyncProperty(text(K8S_SEEDS, K8S_KEYS), fc.constantFrom('k8s/app.yaml', 'chart/values.yaml', 'deploy/x.yml'), async (content, path) => {
        checkFindings('checkKubernetes', content, await guarded('checkKubernetes', () => checkKubernetes(content, path)));
      }),
      { numRuns: runs(250) },
    );
  });

  it('checkCompose', async () => {
    await fc.assert(
      fc.asyncProperty(text(COMPOSE_SEEDS, COMPOSE_KEYS), async (content) => {
        checkFindings('checkCompose', content, await guarded('checkCompose', () => checkCompose(content, 'docker-compose.yml')));
      }),
      { numRuns: runs(250) },
    );
  });

  it('checkWorkflow', async () => {
    await fc.assert(
      fc.asyncProperty(text(WORKFLOW_SEEDS, WORKFLOW_KEYS), async (content) => {
        checkFindings('checkWorkflow', content, await guarded('checkWorkflow', () => checkWorkflow(content, '.github/workflows/ci.yml')));
      }),
      { numRuns: runs(250) },
    );
  });

  it('checkSast', async () => {
    const seeds = fc.constantFrom(...SAST_SEEDS).chain(([path, src]) => fc.tuple(fc.constant(path), fc.oneof(mutated(src), nastyString)));
    const longLines = fc.tuple(fc.constantFrom('a.js', 'b.py', 'c.go', 'D.java'), fc.string({ minLength: 1, maxLength: 5 }), fc.integer({ min: 100, max: 5000 })).map(
      ([path, unit, n]) => [path, `x = "${unit.repeat(n)}" + exec(${unit.repeat(n)})\n`] as [string, string],
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(seeds, longLines), async ([path, content]) => {
        checkFindings('checkSast', content, await guarded('checkSast', () => checkSast(content, path)));
      }),
      { numRuns: runs(250) },
    );
  });

  it('the seeds themselves produce findings (the properties reach the rules)', () => {
    expect(checkDockerfile(DOCKERFILE_SEEDS[0]!, 'Dockerfile').length).toBeGreaterThan(0);
    expect(checkKubernetes(K8S_SEEDS[0]!, 'k8s/api.yaml').length).toBeGreaterThan(0);
    expect(checkCompose(COMPOSE_SEEDS[0]!, 'docker-compose.yml').length).toBeGreaterThan(0);
    expect(checkWorkflow(WORKFLOW_SEEDS[0]!, '.github/workflows/ci.yml').length).toBeGreaterThan(0);
    expect(checkSast(SAST_SEEDS[0]![1], SAST_SEEDS[0]![0]).length).toBeGreaterThan(0);
  });
});
