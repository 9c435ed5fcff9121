import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Artifact } from '@linkops/shared/contracts';
import { DEFAULT_ENHANCE_THRESHOLD, enhanceArtifact, enhanceContent, smithArtifacts, smithWithLlm } from '../src/index.js';
import { loadCheckWorkflow } from '../src/enhance/misconfig.js';
import { SECURITY, SEED } from './fixtures.js';

const SHA_PIN = /@[0-9a-f]{40}$/;

const UNHARDENED = `name: ci
on: [pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - run: echo "\${{ github.event.pull_request.title }}" && echo "\${{ github.head_ref }}"
`;

describe('enhance: GitHub Actions', () => {
  it('security record -> orb.gha.security.v1.yaml with pinned SHAs, permissions, timeouts, no high misconfig', async () => {
    const [orb] = smithArtifacts([SECURITY]) as [Artifact];
    expect(orb.filename).toBe('orb.gha.security.v1.yaml');
    const result = await enhanceArtifact(orb);
    const wf = (YAML.parse(result.artifact.content) as { body: { workflow: Record<string, any> } }).body.workflow;
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(wf.on)).toEqual(['workflow_call', 'pull_request']);
    expect(wf.concurrency).toBeDefined();
    const job = wf.jobs.run;
    expect(job['timeout-minutes']).toBe(30);
    expect(job.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
    const uses = job.steps.filter((s: { uses?: string }) => s.uses).map((s: { uses: string }) => s.uses);
    expect(uses.length).toBe(4);
    for (const u of uses) expect(u).toMatch(SHA_PIN);
    expect(result.artifact.content).toContain('# v4.2.2');
    expect(job.steps[0].with['persist-credentials']).toBe(false);
    expect(result.findings.filter((f) => /^(high|critical) /.test(f))).toEqual([]);
    expect(result.decision).toBe('publish');
    expect(result.score).toBeGreaterThanOrEqual(DEFAULT_ENHANCE_THRESHOLD);
    // Smith output is hardened by construction: enhancing it changes nothing, so versions stay stable.
    expect(result.artifact.content).toBe(orb.content);
    expect(result.artifact.meta.digest).toBe(orb.meta.digest);
    const check = await loadCheckWorkflow();
    if (check) {
      const findings = (await check(YAML.stringify(wf), '.github/workflows/security.yml')) as { severity: string }[];
      expect(findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
    } else {
      expect(result.findings.some((f) => f.includes('misconfig.unavailable'))).toBe(true);
    }
  });

  it('fixes an unhardened workflow: unpinned uses, injection in run, no permissions', async () => {
    const out = await enhanceContent('orb', UNHARDENED);
    const wf = YAML.parse(out.content) as Record<string, any>;
    expect(wf.permissions).toEqual({ contents: 'read' });
    const steps = wf.jobs.build.steps;
    expect(steps[0].uses).toBe('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683');
    expect(steps[1].uses).toMatch(SHA_PIN);
    expect(steps[0].with['persist-credentials']).toBe(false);
    expect(steps[2].run).not.toContain('${{');
    expect(steps[2].run).toBe('echo "${PULL_REQUEST_TITLE}" && echo "${GITHUB_CTX_HEAD_REF}"');
    expect(steps[2].env).toEqual({ PULL_REQUEST_TITLE: '${{ github.event.pull_request.title }}', GITHUB_CTX_HEAD_REF: '${{ github.head_ref }}' });
    expect(wf.jobs.build['timeout-minutes']).toBe(30);
    expect(out.findings).toContain('fixed high gha.expression-in-run: job build step 3: 2 expression(s), 2 attacker-controllable, moved from run: into env:');
    // A bare workflow has no orb header, so it is never published automatically.
    expect(out.decision).toBe('review');
    const again = await enhanceContent('orb', out.content);
    expect(again.findings.filter((f) => f.startsWith('fixed'))).toEqual([]);
  });

  it('flags what it cannot fix: privileged triggers, unknown unpinned actions, curl | sh', async () => {
    const bad = `on: pull_request_target
permissions: write-all
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/random-action@main
      - run: curl -sL https://example.com/i.sh | sudo bash
`;
    const out = await enhanceContent('orb', bad);
    expect(out.findings.some((f) => f.startsWith('high gha.dangerous-trigger'))).toBe(true);
    expect(out.findings.some((f) => f.startsWith('high gha.unpinned-action') && f.includes('someone/random-action@main'))).toBe(true);
    expect(out.findings.some((f) => f.startsWith('medium gha.curl-pipe-shell'))).toBe(true);
    expect(out.findings.some((f) => f.startsWith('fixed high gha.write-all'))).toBe(true);
    expect(out.decision).toBe('review');
  });

  it('shellcheck findings on run: scripts when the binary exists', async () => {
    const wf = `on: push
permissions: {contents: read}
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: for f in $(ls *.txt); do cat $f; done
`;
    const out = await enhanceContent('orb', wf);
    const hasShellcheck = out.findings.every((f) => !f.includes('shellcheck.absent'));
    if (hasShellcheck) expect(out.findings.some((f) => f.includes('shellcheck.SC'))).toBe(true);
    else expect(out.findings.some((f) => f.includes('shellcheck.absent'))).toBe(true);
  });

  it('malformed YAML and alias bombs come back as findings, not exceptions', async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
      .concat(['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
      .join('\n');
    const bombed = await enhanceContent('orb', bomb);
    expect(bombed.decision).toBe('review');
    expect(bombed.findings.some((f) => f.startsWith('critical orb.yaml') && /alias/i.test(f))).toBe(true);
    const probe = await enhanceContent('orb', 'a: &a [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]');
    expect(probe.decision).toBe('review');
    const broken = await enhanceContent('orb', 'a: [1, 2\nb: }');
    expect(broken.findings[0]).toMatch(/^critical orb.yaml: YAML error/);
    const huge = await enhanceContent('orb', `a: "${'x'.repeat(600 * 1024)}"`);
    expect(huge.findings[0]).toMatch(/larger than/);
    const dup = await enhanceContent('orb', 'a: 1\na: 2');
    expect(dup.decision).toBe('review');
  });

  it('argocd orb: metadata valid, workflow part hardened, manifests checked', async () => {
    const [orb] = smithArtifacts([SEED]) as [Artifact];
    const result = await enhanceArtifact(orb);
    expect(result.findings.filter((f) => /^(high|critical) /.test(f))).toEqual([]);
    expect(result.decision).toBe('publish');
    const tampered = orb.content.replace('kind: Application', 'kind: 42');
    const out = await enhanceContent('orb', tampered.replace(/^ {6}apiVersion: argoproj.io\/v1alpha1\n/m, ''));
    expect(out.findings.some((f) => f.includes('orb.manifest'))).toBe(true);
  });
});

describe('enhance: runes', () => {
  it('generated runes pass unchanged', async () => {
    const [, rune] = smithArtifacts([SECURITY]) as [Artifact, Artifact];
    const result = await enhanceArtifact(rune);
    expect(result.findings).toEqual([]);
    expect(result.score).toBe(100);
    expect(result.artifact.content).toBe(rune.content);
  });

  it('adds missing timeouts and the main guard; flags shell=True interpolation and eval', async () => {
    const src = `"""Doc."""
import argparse
import subprocess


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true")
    name = parser.parse_args().dry_run
    subprocess.run(["ls", "-la"], check=True)
    subprocess.check_call(
        ["echo", "x"],
    )
    subprocess.run("echo " + str(name), shell=True, timeout=5)
    eval("1 + 1")
`;
    const out = await enhanceContent('rune', src);
    expect(out.content).toContain('subprocess.run(["ls", "-la"], check=True, timeout=600)');
    expect(out.content).toContain('["echo", "x"], timeout=600\n    )');
    expect(out.content).toMatch(/if __name__ == "__main__":\n {4}main\(\)\n$/);
    expect(out.findings.some((f) => f.startsWith('high rune.shell-interpolation'))).toBe(true);
    expect(out.findings.some((f) => f.startsWith('high rune.eval-exec'))).toBe(true);
    expect(out.findings.some((f) => f.startsWith('fixed medium rune.subprocess-timeout'))).toBe(true);
    expect(out.decision).toBe('review');
  });

  it('a rune that does not compile scores low with the compiler message', async () => {
    const out = await enhanceContent('rune', 'def broken(:\n  pass\n');
    expect(out.findings[0]).toMatch(/^critical rune.compile: py_compile failed/);
    expect(out.decision).toBe('review');
  });
});

describe('LLM draft (local OpenAI-compatible server)', () => {
  let server: Server;
  let url = '';
  const seen: { auth?: string; model?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { model: string };
        seen.push({ auth: req.headers.authorization, model: parsed.model });
        if (req.url !== '/v1/chat/completions') {
          res.writeHead(404).end();
          return;
        }
        const content = parsed.model === 'broken' ? 'no json here' : '```json\n{"description": "Moves the repo to GitOps with Argo CD.", "steps": ["Invented step"]}\n```';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('uses the drafted description but never the drafted steps when records have steps', async () => {
    const out = await smithWithLlm([SEED], undefined, { url, model: 'm1', apiKey: 'k-123' });
    const [orb, rune] = out.artifacts as [Artifact, Artifact];
    expect(out.llm_error).toBeUndefined();
    expect(orb.meta.description.startsWith('Moves the repo to GitOps with Argo CD.')).toBe(true);
    expect(orb.meta.generator).toContain('+llm:m1');
    expect(orb.content).not.toContain('Invented step');
    expect(rune.content).not.toContain('Invented step');
    expect(seen.at(-1)).toEqual({ auth: 'Bearer k-123', model: 'm1' });
    expect((await enhanceArtifact(orb)).decision).toBe('publish');
  });

  it('falls back to deterministic output on a bad reply', async () => {
    const out = await smithWithLlm([SEED], undefined, { url, model: 'broken', apiKey: 'k' });
    expect(out.llm_error).toMatch(/no JSON/);
    expect(out.artifacts[0]!.meta.generator).not.toContain('llm');
    expect(out.artifacts[0]!.meta.digest).toBe(smithArtifacts([SEED])[0]!.meta.digest);
  });
});
