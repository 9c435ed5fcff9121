import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ArtifactSchema, type Artifact } from '@linkops/shared/contracts';
import { groupRecords, previewSmith, smithArtifacts } from '../src/index.js';
import { PER_PLATFORM, SECURITY, SEED, record } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'forge-smith-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runRune(rune: Artifact, args: string[]) {
  const file = join(dir, rune.filename);
  writeFileSync(file, rune.content);
  return spawnSync('python3', [file, ...args], { encoding: 'utf8', timeout: 20_000, cwd: dir });
}

describe('smithArtifacts', () => {
  it('seed: GitOps orb body holds a Helm chart step, an Argo CD Application and a CI workflow', () => {
    const [orb, rune] = smithArtifacts([SEED]) as [Artifact, Artifact];
    expect(orb.filename).toBe('orb.argocd.gitops.v1.yaml');
    expect(rune.filename).toBe('rune.argocd.gitops.v1.py');
    expect(ArtifactSchema.parse(orb)).toBeTruthy();
    const doc = YAML.parse(orb.content) as { orb: Record<string, unknown>; body: Record<string, any> };
    expect(doc.orb.id).toBe('orb.argocd.gitops');
    expect(doc.orb.version).toBe('1.0.0');
    expect(doc.orb.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const snippets = doc.body.steps.map((s: { snippet?: string }) => s.snippet);
    expect(snippets).toEqual(['helm-chart', 'argocd-app', 'ci-pipeline']);
    expect(doc.body.steps[0].run).toContain('helm create');
    expect(doc.body.manifests.argocd_application).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' });
    expect(doc.body.manifests.argocd_application.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(Object.keys(doc.body.workflow.on)).toContain('workflow_call');
    expect(doc.body.workflow.jobs.run.steps.some((s: { run?: string }) => s.run?.includes('helm lint'))).toBe(true);
  });

  it('seed: rune --dry-run prints the helm chart, argocd app and CI pipeline steps', () => {
    const [, rune] = smithArtifacts([SEED]) as [Artifact, Artifact];
    const out = runRune(rune, ['--dry-run']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/step 1: Create and lint a Helm chart\n\s+would run: helm create charts\/app/);
    expect(out.stdout).toMatch(/step 2: Register an Argo CD Application[\s\S]*would write: argocd\/app-application\.yaml[\s\S]*kubectl apply -n argocd/);
    expect(out.stdout).toMatch(/step 3: Add or update the CI pipeline\n\s+would write: \.github\/workflows\/ci\.yml/);
  });

  // Spawns 24 python processes; the limit is generous because two shared cores can be slow.
  it('every generated rune compiles, and runs --help and the default dry run with exit 0', { timeout: 180_000 }, () => {
    for (const r of PER_PLATFORM) {
      const [orb, rune] = smithArtifacts([r]) as [Artifact, Artifact];
      expect(orb.meta.kind).toBe('orb');
      const file = join(dir, rune.filename);
      writeFileSync(file, rune.content);
      execFileSync('python3', ['-m', 'py_compile', file], { timeout: 20_000 });
      const help = runRune(rune, ['--help']);
      expect(help.status, `${rune.filename} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout).toContain('--execute');
      const dry = runRune(rune, []);
      expect(dry.status, `${rune.filename} dry run: ${dry.stderr}`).toBe(0);
      expect(dry.stdout).toContain('[dry-run] step 1:');
      expect(rune.content).toContain('subprocess.run(cmd, check=True, timeout=timeout)');
      expect(rune.content).not.toMatch(/shell\s*=\s*True/);
    }
  });

  it('unmatched steps stay manual, never invented', () => {
    const runbook = PER_PLATFORM.find((r) => r.id === 'rec-runbook')!;
    const [orb, rune] = smithArtifacts([runbook]) as [Artifact, Artifact];
    expect(orb.filename).toBe('orb.runbook.oncall.v1.yaml');
    const body = (YAML.parse(orb.content) as { body: { steps: { manual?: string; run?: string }[]; workflow?: unknown } }).body;
    expect(body.steps.map((s) => s.manual)).toEqual(['Open the pager tool', 'Swap the primary and secondary']);
    expect(body.steps.every((s) => s.run === undefined)).toBe(true);
    expect(body.workflow).toBeUndefined();
    expect(runRune(rune, []).stdout).toContain('MANUAL STEP (do this by hand): Swap the primary and secondary');
  });

  it('rune --execute refuses to run without required inputs (exit 2)', () => {
    const [, rune] = smithArtifacts([SEED]) as [Artifact, Artifact];
    const out = runRune(rune, ['--execute']);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('--repo-url');
  });

  it('record text cannot break out of the rune source', () => {
    const evil = record('rec-evil', 'Evil """ task \\ with quotes', 'x', 'generic', 'evil', ['Do "this"\'; import os; os.system("id") #', 'Then """ and \\N{x}']);
    const [, rune] = smithArtifacts([evil]) as [Artifact, Artifact];
    const out = runRune(rune, ['--dry-run']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('os.system("id")'); // printed as text, not executed
  });

  it('feedback_context goes into the description and records supersedes', () => {
    const [orb1] = smithArtifacts([SECURITY]) as [Artifact];
    const withFeedback = { ...SECURITY, feedback_context: ['gitleaks failed: fetch-depth too shallow'] };
    const [orb2] = smithArtifacts([withFeedback], { orb: orb1 }) as [Artifact];
    expect(orb2.meta.description).toContain('gitleaks failed: fetch-depth too shallow');
    expect(orb2.meta.supersedes).toBe('orb.gha.security@1.0.0');
    expect(orb2.meta.version).toBe('1.0.1');
  });

  it('groupRecords groups by (platform, topic) with platform aliases', () => {
    const groups = groupRecords([SEED, SECURITY, { ...SECURITY, id: 'rec-security-2' }]);
    expect(groups.map((g) => `${g.platform}.${g.topic}:${g.records.length}`)).toEqual(['argocd.gitops:1', 'gha.security:2']);
  });

  it('previewSmith shows the step-to-snippet mapping', () => {
    const preview = previewSmith(SECURITY);
    expect(preview.orb.filename).toBe('orb.gha.security.v1.yaml');
    expect(preview.plan.map((p) => p.snippet)).toEqual(['trigger-pull-request', 'checkout', 'secret-scan', 'dependency-audit', 'sarif-upload']);
    expect(preview.manual_steps).toEqual([]);
  });
});
