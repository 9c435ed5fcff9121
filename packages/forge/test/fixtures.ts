import type { SanitizedRecord } from '@linkops/shared/contracts';

export function record(id: string, task: string, answer: string, platform: string, topic: string, steps: string[], extra: Partial<SanitizedRecord> = {}): SanitizedRecord {
  return {
    id,
    task,
    answer,
    tags: [],
    source: 'human',
    classification: { domain: topic, platform, topic, confidence: 0.9, evidence: [] },
    steps: steps.map((text, i) => ({ order: i + 1, text })),
    quality: { score: 0.9, reasons: [] },
    redactions: [],
    content_hash: `hash-${id}`,
    ...extra,
  };
}

export const SEED = record('rec-seed', 'Convert repo to GitOps', 'Add helm chart, ArgoCD app, update CI pipeline', 'argocd', 'gitops', []);

export const SECURITY = record(
  'rec-security',
  'Harden GitHub Actions security scanning',
  '1. Add a workflow that runs on pull_request\n2. Checkout the code\n3. Run a secret scan and a dependency audit\n4. Upload SARIF to code scanning',
  'github-actions',
  'security',
  ['Add a workflow that runs on pull_request', 'Checkout the code', 'Run a secret scan and a dependency audit', 'Upload SARIF to code scanning'],
);

/** One record per orb platform, for the "every rune runs" goldens. */
export const PER_PLATFORM: SanitizedRecord[] = [
  SEED,
  SECURITY,
  record('rec-helm', 'Deploy the API with Helm', 'x', 'helm', 'deploy', ['Create a Helm chart for the service', 'helm upgrade the release', 'Notify the team on Slack']),
  record('rec-k8s', 'Ship manifests', 'x', 'kubernetes', 'manifests', ['Apply the Kubernetes manifests', 'Ask the SRE on call to watch the dashboards']),
  record('rec-kustomize', 'Add environment overlays', 'x', 'kustomize', 'overlays', ['Add a kustomize overlay for staging']),
  record('rec-docker', 'Containerise the app', 'x', 'docker', 'image', ['Build the docker image', 'Scan the container image with trivy', 'Push the image to the registry']),
  record('rec-tf', 'Provision infra', 'x', 'terraform', 'infra', ['terraform init', 'Apply the terraform plan']),
  record('rec-runbook', 'Rotate the on-call pager', 'x', 'generic', 'oncall', ['Open the pager tool', 'Swap the primary and secondary']),
];
