import { describe, expect, it } from 'vitest';
import { ArtifactSearch, stepText } from '../src/index.js';
import { makeArtifact } from './helpers.js';

const corpus = [
  makeArtifact({ id: 'orb.gha.security', summary: 'Security scanning for pull requests', description: 'Runs gitleaks and dependency audit', tags: ['security', 'ci'] }),
  makeArtifact({
    id: 'orb.argocd.app',
    platform: 'argocd',
    summary: 'Argo CD application for GitOps delivery',
    description: 'Creates an Application that syncs a Helm chart',
    tags: ['gitops', 'argocd'],
    content: 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nsteps:\n  - name: Sync the chart\n    run: argocd app sync demo\n',
  }),
  makeArtifact({
    id: 'orb.helm.chart',
    platform: 'helm',
    summary: 'Helm chart scaffold',
    description: 'Chart with probes and resource limits',
    tags: ['helm'],
    content: 'steps:\n  - name: Lint\n    run: helm lint ./chart\n',
  }),
  makeArtifact({ id: 'rune.gha.pipeline', summary: 'Render a CI pipeline', description: 'Writes a workflow file', tags: ['ci'] }),
];

function engine(): ArtifactSearch {
  const s = new ArtifactSearch();
  s.setAll(corpus);
  return s;
}

describe('ArtifactSearch', () => {
  it('ranks the relevant artifact first', () => {
    const s = engine();
    expect(s.search('gitops')[0]?.id).toBe('orb.argocd.app');
    expect(s.search('secret scanning pull request')[0]?.id).toBe('orb.gha.security');
    expect(s.search('helm chart')[0]?.id).toBe('orb.helm.chart');
    expect(s.search('nothing-matches-this')).toEqual([]);
    expect(s.search('   ')).toEqual([]);
  });

  it('indexes step names and commands parsed from the content', () => {
    const s = engine();
    expect(s.search('gitleaks')[0]?.id).toBe('orb.gha.security'); // also in description
    expect(s.search('lint')[0]?.id).toBe('orb.helm.chart'); // only in a step
    expect(s.search('render pipeline', { kind: 'rune' })[0]?.id).toBe('rune.gha.pipeline');
    expect(stepText(corpus[2]!)).toContain('helm lint ./chart');
  });

  it('applies kind, platform and tag filters', () => {
    const s = engine();
    expect(s.search('ci', { kind: 'rune' }).map((h) => h.id)).toEqual(['rune.gha.pipeline']);
    expect(s.search('chart', { platform: 'argocd' }).map((h) => h.id)).toEqual(['orb.argocd.app']);
    expect(s.search('ci', { tag: 'security' }).map((h) => h.id)).toEqual(['orb.gha.security']);
  });

  it('feedback quality changes the order', () => {
    const s = engine();
    const q = 'ci pipeline security';
    const before = s.search(q);
    expect(before.map((h) => h.id).slice(0, 2)).toEqual(['rune.gha.pipeline', 'orb.gha.security']);
    // Scores are multiplied by 0.5 + quality: proven (1) vs failing (0) is a 3x swing.
    s.setQuality('orb.gha.security', 1);
    s.setQuality('rune.gha.pipeline', 0);
    const after = s.search(q);
    expect(after.map((h) => h.id).slice(0, 2)).toEqual(['orb.gha.security', 'rune.gha.pipeline']);
    expect(after[0]!.score).toBeCloseTo(before[1]!.score * 3, 3);
  });

  it('takes quality from a callback and returns hit fields', () => {
    const s = new ArtifactSearch({ quality: (id) => (id === 'orb.helm.chart' ? 1 : 0) });
    s.setAll(corpus);
    const hit = s.search('chart')[0];
    expect(hit).toMatchObject({ id: 'orb.helm.chart', kind: 'orb', version: '1.0.0', summary: 'Helm chart scaffold' });
    expect(hit?.score).toBeGreaterThan(0);
  });

  it('upserts and removes documents', () => {
    const s = engine();
    s.upsert(makeArtifact({ id: 'orb.helm.chart', version: '2.0.0', summary: 'Kubernetes packaging', description: 'x', tags: [], content: 'a: 1\n' }));
    expect(s.size).toBe(4);
    expect(s.search('packaging')[0]).toMatchObject({ id: 'orb.helm.chart', version: '2.0.0' });
    s.remove('orb.helm.chart');
    expect(s.search('packaging')).toEqual([]);
  });

  it('survives alias bombs and broken YAML in content', () => {
    const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    expect(stepText(makeArtifact({ content: bomb }))).toBe('');
    expect(stepText(makeArtifact({ content: 'steps: [unclosed' }))).toBe('');
  });
});
