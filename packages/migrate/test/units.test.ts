import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildWorkflow, hardenWorkflow } from '../src/ci.js';
import { environmentValues } from '../src/chart.js';
import { patchDockerfile, toExecForm } from '../src/dockerfile.js';
import { renderTemplates } from '../src/template.js';
import { fileDiff } from '../src/patch.js';
import type { AppModel, GenerationContext } from '../src/model.js';

const base = { ports: [8080], healthPath: null, runtime: 'node', hasNpmLock: false, packageJson: null };

describe('Dockerfile patches', () => {
  it('fixes apt installs, keeps stage aliases and digests, adds the user before CMD', () => {
    const text = [
      'FROM golang:1.22 AS build',
      'RUN apt-get update && \\',
      '    apt-get install curl',
      'FROM build AS test',
      'FROM alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'ADD https://example.com/x.tar.gz /x',
      'ENTRYPOINT ["/app"]',
      '',
    ].join('\n');
    const r = patchDockerfile({ ...base, text, runtime: 'go' });
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('FROM golang:1.22 AS build');
    expect(lines[1]).toBe('RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*');
    expect(lines).toContain('FROM build AS test');
    expect(lines).toContain('ADD https://example.com/x.tar.gz /x');
    expect(r.text).toContain('RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app\nUSER 10001:10001\nENTRYPOINT ["/app"]');
    expect(r.fixes.map((f) => f.kind).sort()).toEqual(['dockerfile.apt', 'dockerfile.non-root']);
  });

  it('pins untagged bases, uses npm ci with a lockfile and keeps USER root when later RUNs need it', () => {
    const text = ['FROM python', 'USER root', 'RUN pip install flask', 'USER app', 'CMD python app.py', ''].join('\n');
    const r = patchDockerfile({ ...base, text, runtime: 'python' });
    expect(r.text).toBe(
      [
        'FROM python:3.12-slim',
        'USER root',
        'RUN pip install --no-cache-dir flask',
        'USER app',
        `HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8080), 3)"]`,
        'CMD ["python", "app.py"]',
        '',
      ].join('\n'),
    );
    const npm = patchDockerfile({ ...base, text: 'FROM node:20\nUSER node\nWORKDIR /app\nRUN npm install\nCMD ["node", "a.js"]\n', hasNpmLock: true });
    expect(npm.text).toContain('RUN npm ci\n');
  });

  it('is a fixed point: patching the output again changes nothing', () => {
    const text = 'FROM node:latest\nADD . /app\nRUN cd /app && npm install\nEXPOSE 3000\nCMD npm start\n';
    const once = patchDockerfile({ ...base, text, ports: [3000], healthPath: '/health', packageJson: '{"main":"index.js"}' });
    const twice = patchDockerfile({ ...base, text: once.text, ports: [3000], healthPath: '/health', packageJson: '{"main":"index.js"}' });
    expect(twice.text).toBe(once.text);
    expect(twice.fixes).toEqual([]);
  });

  it('exec form keeps a shell only when the command needs one', () => {
    expect(toExecForm('gunicorn -b 0.0.0.0:8000 app:app')).toBe('["gunicorn", "-b", "0.0.0.0:8000", "app:app"]');
    expect(toExecForm('./start.sh && tail -f /dev/null')).toBe('["/bin/sh", "-c", "./start.sh && tail -f /dev/null"]');
  });
});

describe('template renderer', () => {
  it('handles trimming, include, with/else, range over lists and maps, pipes and parentheses', () => {
    const out = renderTemplates(
      {
        'templates/_h.tpl': '{{- define "x.name" -}}{{ default "fallback" .Values.name | trunc 5 }}{{- end }}',
        'templates/t.yaml': [
          'name: {{ include "x.name" . }}',
          '{{- with .Values.missing }}',
          'never: {{ . }}',
          '{{- else }}',
          'missing: {{ (printf "%s-%s" "a" "b") | quote }}',
          '{{- end }}',
          'items:',
          '  {{- range .Values.list }}',
          '  - {{ .n }} {{ $.Values.name }}',
          '  {{- end }}',
          'map:',
          '  {{- range .Values.map }}',
          '  - {{ . }}',
          '  {{- end }}',
          'obj:',
          '  {{- toYaml .Values.obj | nindent 2 }}',
          '{{- if and .Values.name (not .Values.off) }}',
          'on: true',
          '{{- end }}',
          '',
        ].join('\n'),
      },
      { Values: { name: 'abcdefgh', list: [{ n: 1 }, { n: 2 }], map: { b: 'B', a: 'A' }, obj: { k: [1] }, off: false } },
    );
    expect(YAML.parse(out['templates/t.yaml']!)).toEqual({ name: 'abcde', missing: 'a-b', items: ['1 abcdefgh', '2 abcdefgh'], map: ['A', 'B'], obj: { k: [1] }, on: true });
    expect(Object.keys(out)).toEqual(['templates/t.yaml']);
  });

  it('rejects what it does not support instead of guessing', () => {
    expect(() => renderTemplates({ 't.yaml': '{{ lookup "v1" "Secret" "" "" }}' }, {})).toThrow(/unsupported function lookup/);
    expect(() => renderTemplates({ 't.yaml': '{{ if .x }}open' }, {})).toThrow(/without end/);
  });
});

describe('CI workflow and hardening', () => {
  const app = { name: 'api', dockerfile: 'services/api/Dockerfile', context: 'services/api', imageTag: 'abc', imageRepository: 'ghcr.io/x/api' } as AppModel;
  const ctx: GenerationContext = { registry: 'ghcr.io/x', environments: ['dev', 'prod'], layout: 'helm', repoURL: 'https://github.com/x/y', targetRevision: 'HEAD', project: 'y', branch: 'main' };

  it('pins every action to a SHA, sets least privilege, timeouts and no persisted credentials', () => {
    const text = buildWorkflow([app], ctx);
    const wf = YAML.parse(text);
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.concurrency.group).toContain('github.ref');
    for (const [name, job] of Object.entries(wf.jobs as Record<string, { 'timeout-minutes': number; permissions: unknown; steps: { uses?: string; with?: Record<string, unknown> }[] }>)) {
      expect(job['timeout-minutes'], name).toBeGreaterThan(0);
      expect(job.permissions, name).toBeDefined();
      for (const s of job.steps) {
        if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
        if (s.uses?.startsWith('actions/checkout')) expect(s.with!['persist-credentials']).toBe(false);
      }
    }
    expect(text).toMatch(/uses: actions\/checkout@[0-9a-f]{40} # v4\.2\.2$/m);
    expect(wf.jobs.build.permissions).toEqual({ contents: 'read', packages: 'write' });
    // No ${{ }} expressions inside run scripts (template injection).
    for (const job of Object.values(wf.jobs as Record<string, { steps: { run?: string }[] }>)) for (const s of job.steps) if (s.run) expect(s.run).not.toContain('${{');
  });

  it('the bump script rewrites exactly the marked tag line', () => {
    const wf = YAML.parse(buildWorkflow([app], ctx));
    const script: string = wf.jobs['bump-tags'].steps[1].run;
    const sed = script.split('\n').find((l) => l.trim().startsWith('sed '))!.trim();
    const dir = mkdtempSync(join(tmpdir(), 'linkops-sed-'));
    try {
      const f = join(dir, 'values-dev.yaml');
      writeFileSync(f, environmentValues(app, 'dev', false) + 'other:\n  tag: keep\n');
      execFileSync('bash', ['-c', sed.replace('"$f"', JSON.stringify(f))], { env: { ...process.env, IMAGE_TAG: 'deadbeef' } });
      const after = YAML.parse(readFileSync(f, 'utf8'));
      expect(after.image.tag).toBe('deadbeef');
      expect(after.other.tag).toBe('keep');
      expect(readFileSync(f, 'utf8')).toContain('tag: "deadbeef" # linkops:image-tag');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hardening adds top-level permissions once and pins same-major actions only', () => {
    const wf = 'on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4 # old\n      - uses: actions/checkout@v3\n      - uses: "docker/login-action@v3"\n';
    const h = hardenWorkflow(wf);
    expect(h.text).toContain('permissions:\n  contents: read\n\njobs:');
    expect(h.text).toContain('- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n');
    expect(h.text).toContain('- uses: actions/checkout@v3\n');
    expect(h.text).toContain('- uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0\n');
    expect(hardenWorkflow(h.text).text).toBe(h.text);
    const withPerms = 'on: push\npermissions: read-all\njobs: {}\n';
    expect(hardenWorkflow(withPerms).addedPermissions).toBe(false);
  });
});

describe('patch headers', () => {
  it('writes git-style headers for new and modified files and nothing for unchanged ones', () => {
    expect(fileDiff({ path: 'a/b.txt', before: null, after: 'x\ny\n' })).toBe('diff --git a/a/b.txt b/a/b.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a/b.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    expect(fileDiff({ path: 'f', before: 'a\n', after: 'a\n' })).toBe('');
    expect(fileDiff({ path: 'f', before: 'a\nb\n', after: 'a\nc\n' })).toContain('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
    expect(() => fileDiff({ path: '../etc/passwd', before: null, after: 'x' })).toThrow(/unusual path/);
  });
});
