import { describe, expect, it } from 'vitest';
import { ClassificationSchema, PlatformSchema } from '@linkops/shared/contracts';
import { classify, DOMAIN_RULES, resolveDomainHint } from '../src/index.js';
import { loadLabelledPairs, measureAccuracy } from '../scripts/accuracy.js';

describe('classify', () => {
  it('classifies the seed example as gitops on argocd', () => {
    const c = classify('Convert repo to GitOps', 'Add helm chart, ArgoCD app, update CI pipeline');
    expect(ClassificationSchema.parse(c)).toEqual(c);
    expect(c).toMatchObject({ domain: 'gitops', platform: 'argocd', topic: 'gitops' });
    expect(c.evidence).toContain('gitops');
    expect(c.confidence).toBeGreaterThan(0.5);
  });

  it('security work in GitHub Actions targets the gha platform', () => {
    const c = classify(
      'Harden GitHub Actions security scanning',
      '1. Add a workflow that runs on pull_request\n2. Checkout the code\n3. Run a secret scan and a dependency audit\n4. Upload SARIF to code scanning',
    );
    expect(c).toMatchObject({ domain: 'security', platform: 'gha', topic: 'security' });
  });

  it('security without CI context falls back to the runbook platform', () => {
    expect(classify('Rotate the Vault root token', 'Revoke the old token and rotate the unseal keys')).toMatchObject({ domain: 'security', platform: 'runbook' });
  });

  it('kubernetes with kustomize overlays targets kustomize', () => {
    expect(classify('Per-environment manifests', 'Create a kustomize base and overlays for staging and prod; kubectl apply -k')).toMatchObject({ domain: 'kubernetes', platform: 'kustomize' });
  });

  it('returns the general fallback with zero confidence when nothing matches', () => {
    expect(classify('Lunch order', 'Two sandwiches please')).toEqual({ domain: 'general', platform: 'runbook', topic: 'general', confidence: 0, evidence: [] });
  });

  it('a submitter domain hint breaks a tie', () => {
    const task = 'Fix it';
    const answer = 'Bump the chart and the Dockerfile';
    expect(classify(task, answer, { domainHint: 'docker' }).domain).toBe('docker');
    expect(classify(task, answer, { domainHint: 'helm' }).domain).toBe('helm');
    expect(resolveDomainHint('ArgoCD')).toBe('gitops');
    expect(resolveDomainHint('nonsense')).toBeUndefined();
  });

  it('every domain maps onto a valid platform and an artifact-name-safe topic', () => {
    for (const rule of DOMAIN_RULES) {
      expect(PlatformSchema.safeParse(rule.platform).success).toBe(true);
      for (const hint of rule.platformHints) expect(PlatformSchema.safeParse(hint.platform).success).toBe(true);
      expect(rule.topic).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('more evidence and a wider margin mean higher confidence', () => {
    const weak = classify('Deploy', 'update the chart');
    const strong = classify('Helm chart upgrade', 'Bump the chart version in Chart.yaml, set values in values.yaml and run helm upgrade --install');
    expect(strong.domain).toBe('helm');
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
  });
});

describe('classifier accuracy on the labelled fixtures', () => {
  const pairs = loadLabelledPairs();
  const report = measureAccuracy(pairs);

  it('has at least 110 labelled pairs covering all ten domains, no duplicates', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(110);
    expect(new Set(pairs.map((p) => p.domain))).toEqual(new Set(DOMAIN_RULES.map((r) => r.domain)));
    expect(new Set(pairs.map((p) => p.task.toLowerCase())).size).toBe(pairs.length);
  });

  it('is at least 85% accurate overall', () => {
    expect(report.accuracy, JSON.stringify(report.confusions)).toBeGreaterThanOrEqual(0.85);
  });

  it('no domain falls below 70%', () => {
    const weak = Object.entries(report.perDomain).filter(([, b]) => b.accuracy < 0.7);
    expect(weak).toEqual([]);
  });
});
