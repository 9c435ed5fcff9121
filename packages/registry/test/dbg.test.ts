import { it } from 'vitest';
import { ArtifactSearch } from '../src/index.js';
import { makeArtifact } from './helpers.js';
const corpus = [
  makeArtifact({ id: 'orb.gha.security', summary: 'Security scanning for pull requests', description: 'Runs gitleaks and dependency audit', tags: ['security', 'ci'] }),
  makeArtifact({ id: 'orb.argocd.app', platform: 'argocd', summary: 'Argo CD application for GitOps delivery', description: 'Creates an Application that syncs a Helm chart', tags: ['gitops', 'argocd'], content: 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nsteps:\n  - name: Sync the chart\n    run: argocd app sync demo\n' }),
  makeArtifact({ id: 'orb.helm.chart', platform: 'helm', summary: 'Helm chart scaffold', description: 'Chart with probes and resource limits', tags: ['helm'], content: 'steps:\n  - name: Lint\n    run: helm lint ./chart\n' }),
  makeArtifact({ id: 'rune.gha.pipeline', summary: 'Render a CI pipeline', description: 'Writes a workflow file', tags: ['ci'] }),
];
it('dbg', () => {
  const s = new ArtifactSearch();
  s.setAll(corpus);
  for (const q of ['ci', 'chart', 'helm', 'gha', 'ci pipeline security']) console.log(q, s.search(q).map((h) => `${h.id}=${h.score.toFixed(2)}`).join(' '));
});
