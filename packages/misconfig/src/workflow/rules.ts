import type { Finding } from '@linkops/shared/contracts';
import type { Rule, RuleHit } from '../rule.js';
import { redact, sortFindings, toFinding } from '../rule.js';
import { PATTERNS, workflowExpressions } from '../patterns.js';
import { findDownloadPipedToShell } from '../shell.js';
import { parseImage } from '../kubernetes/model.js';
import { asArray, asRecord, isRecord, parseYamlDocuments, type YamlPath } from '../yaml.js';

export interface WorkflowStep {
  spec: Record<string, unknown>;
  path: YamlPath;
}

export interface WorkflowJob {
  id: string;
  spec: Record<string, unknown>;
  steps: WorkflowStep[];
}

export interface WorkflowDocument {
  value: Record<string, unknown>;
  /** Event names from `on:` (string, list or map form). */
  triggers: string[];
  jobs: WorkflowJob[];
  lineAt(path: YamlPath): number;
  lines: string[];
}

export type WorkflowRule = Rule<WorkflowDocument>;

export function parseWorkflow(content: string): WorkflowDocument | null {
  const doc = parseYamlDocuments(content).docs[0];
  if (!doc || !isRecord(doc.value)) return null;
  const value = doc.value;
  const on = value.on ?? value.true; // YAML 1.1 readers turn `on` into true; be tolerant.
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys(asRecord(on));
  const jobs = Object.entries(asRecord(value.jobs)).filter(([, j]) => isRecord(j)).map(([id, j]) => {
    const spec = j as Record<string, unknown>;
    const steps = asArray(spec.steps).flatMap((s, i) => (isRecord(s) ? [{ spec: s, path: ['jobs', id, 'steps', i] as YamlPath }] : []));
    return { id, spec, steps };
  });
  return { value, triggers, jobs, lineAt: (p) => doc.lineAt(p), lines: content.split(/\r?\n/) };
}

const PR_TRIGGERS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);
const PRIVILEGED_TRIGGERS = new Set(['pull_request_target', 'workflow_run']);

const usesOf = (step: WorkflowStep) => (typeof step.spec.uses === 'string' ? step.spec.uses : '');
const isCheckout = (step: WorkflowStep) => usesOf(step).toLowerCase().startsWith('actions/checkout@');

/**
 * Line of a match inside a `run:` value: block scalars (`run: |`) start on the line after the key,
 * plain and quoted scalars on the key's line.
 */
function lineInScalar(doc: WorkflowDocument, path: YamlPath, value: string, index: number): number {
  const keyLine = doc.lineAt(path);
  const source = doc.lines[keyLine - 1] ?? '';
  const afterColon = source.slice(source.indexOf(':') + 1).trim();
  const block = afterColon.startsWith('|') || afterColon.startsWith('>');
  const offset = value.slice(0, index).split('\n').length - 1;
  return keyLine + (block ? 1 : 0) + offset;
}

/** Every `run:` script (and github-script `script:`) with its path. */
function scripts(doc: WorkflowDocument): Array<{ text: string; path: YamlPath; job: WorkflowJob }> {
  return doc.jobs.flatMap((job) => job.steps.flatMap((s) => {
    if (typeof s.spec.run === 'string') return [{ text: s.spec.run, path: [...s.path, 'run'], job }];
    const script = asRecord(s.spec.with).script;
    if (usesOf(s).startsWith('actions/github-script@') && typeof script === 'string') return [{ text: script, path: [...s.path, 'with', 'script'], job }];
    return [];
  }));
}

/** Refs that point at the pull request's (attacker-controlled) code. */
function untrustedRef(ref: string): boolean {
  return ref.includes('github.event.pull_request.head') || ref.includes('github.head_ref') || ref.includes('github.event.workflow_run.head_') || ref.includes('refs/pull/');
}

const WORKFLOW = (body: string, on = 'push', perms = 'permissions:\n  contents: read\n') => `name: ci\non: ${on}\n${perms}jobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n${body}`;
const PINNED_CHECKOUT = '      - uses: actions/checkout@692973e3d937129bcbf40652eb9f2f61becf3332 # v4.1.7\n        with:\n          persist-credentials: false\n';

export const WORKFLOW_RULES: WorkflowRule[] = [
  {
    id: 'gha.unpinned-action',
    category: 'github-actions',
    title: 'Action not pinned to a full commit SHA',
    severity: 'medium',
    description: 'A third-party action is referenced by a mutable tag or branch: whoever controls it (or compromises it) changes what runs with your secrets.',
    remediation: 'Pin to the full 40-character commit SHA and keep the version in a comment (`uses: actions/checkout@<sha> # v4.1.7`); let Dependabot/Renovate update it.',
    references: ['CWE-829', 'CWE-1357', 'zizmor:unpinned-uses'],
    fix: { kind: 'workflow.pin-action' },
    check: (doc) => {
      const hits: RuleHit[] = [];
      const visit = (uses: string, path: YamlPath) => {
        if (!uses || uses.startsWith('./') || uses.includes('${{')) return;
        if (uses.startsWith('docker://')) {
          if (!parseImage(uses).digest) hits.push({ line: doc.lineAt(path), evidence: `uses: ${uses}`, fix: { kind: 'workflow.pin-action', uses } });
          return;
        }
        const at = uses.lastIndexOf('@');
        const ref = at >= 0 ? uses.slice(at + 1) : '';
        if (!PATTERNS.fullSha.test(ref)) hits.push({ line: doc.lineAt(path), evidence: `uses: ${uses}`, fix: { kind: 'workflow.pin-action', action: at >= 0 ? uses.slice(0, at) : uses, ref } });
      };
      for (const job of doc.jobs) {
        if (typeof job.spec.uses === 'string') visit(job.spec.uses, ['jobs', job.id, 'uses']);
        for (const s of job.steps) visit(usesOf(s), [...s.path, 'uses']);
      }
      return hits;
    },
    positives: [WORKFLOW('      - uses: actions/checkout@v4\n'), WORKFLOW('      - uses: some/action@main\n')],
    negatives: [WORKFLOW(PINNED_CHECKOUT), WORKFLOW('      - uses: ./.github/actions/local\n')],
  },
  {
    id: 'gha.permissions-missing',
    category: 'github-actions',
    title: 'No explicit permissions for GITHUB_TOKEN',
    severity: 'medium',
    description: 'Neither the workflow nor its jobs declare `permissions:`, so the GITHUB_TOKEN gets the repository default (often read/write on everything).',
    remediation: 'Add a top-level `permissions: {contents: read}` and grant more per job only where needed.',
    references: ['CWE-250', 'zizmor:excessive-permissions', 'checkov:CKV2_GHA_1'],
    fix: { kind: 'workflow.permissions', permissions: { contents: 'read' } },
    check: (doc) => {
      if (doc.value.permissions !== undefined) return [];
      const unscoped = doc.jobs.filter((j) => j.spec.permissions === undefined);
      return unscoped.length ? [{ line: doc.lineAt(['jobs']), evidence: `jobs without permissions: ${unscoped.map((j) => j.id).join(', ')}` }] : [];
    },
    positives: [WORKFLOW(PINNED_CHECKOUT, 'push', '')],
    negatives: [WORKFLOW(PINNED_CHECKOUT), 'on: push\njobs:\n  a:\n    permissions: {contents: read}\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps: [{run: make}]\n'],
  },
  {
    id: 'gha.permissions-write-all',
    category: 'github-actions',
    title: 'permissions: write-all',
    severity: 'high',
    description: 'The GITHUB_TOKEN is granted write access to every scope.',
    remediation: 'Replace write-all with the minimal scopes, e.g. `permissions: {contents: read, packages: write}`.',
    references: ['CWE-250', 'zizmor:excessive-permissions', 'checkov:CKV2_GHA_1'],
    fix: { kind: 'workflow.permissions', permissions: { contents: 'read' } },
    check: (doc) => [
      ...(doc.value.permissions === 'write-all' ? [{ line: doc.lineAt(['permissions']), evidence: 'permissions: write-all' }] : []),
      ...doc.jobs.filter((j) => j.spec.permissions === 'write-all').map((j) => ({ line: doc.lineAt(['jobs', j.id, 'permissions']), evidence: `${j.id}: permissions: write-all` })),
    ],
    positives: [WORKFLOW(PINNED_CHECKOUT, 'push', 'permissions: write-all\n')],
    negatives: [WORKFLOW(PINNED_CHECKOUT)],
  },
  {
    id: 'gha.dangerous-trigger',
    category: 'github-actions',
    title: 'Privileged trigger (pull_request_target / workflow_run)',
    severity: 'medium',
    description: 'pull_request_target and workflow_run run with the base repository’s secrets and a write token, even for pull requests from forks: a dangerous trigger.',
    remediation: 'Use `pull_request` unless secrets are required; never build or run the PR’s code in these workflows.',
    references: ['CWE-829', 'zizmor:dangerous-triggers'],
    check: (doc) => doc.triggers.filter((t) => PRIVILEGED_TRIGGERS.has(t)).map((t) => ({ line: doc.lineAt(['on', t]) || doc.lineAt(['on']), evidence: `on: ${t}` })),
    positives: [WORKFLOW(PINNED_CHECKOUT, '[pull_request_target]'), WORKFLOW(PINNED_CHECKOUT, '\n  workflow_run:\n    workflows: [ci]\n')],
    negatives: [WORKFLOW(PINNED_CHECKOUT, '[pull_request]')],
  },
  {
    id: 'gha.untrusted-checkout',
    category: 'github-actions',
    title: 'Privileged workflow checks out untrusted pull request code',
    severity: 'critical',
    description: 'A pull_request_target/workflow_run workflow checks out the pull request’s head: the attacker’s code then runs with secrets and a write token ("pwn request").',
    remediation: 'Do not check out the PR head in privileged workflows; split into an unprivileged `pull_request` build and a privileged workflow that only consumes artifacts.',
    references: ['CWE-829', 'CWE-94', 'zizmor:dangerous-triggers'],
    check: (doc) => {
      if (!doc.triggers.some((t) => PRIVILEGED_TRIGGERS.has(t))) return [];
      return doc.jobs.flatMap((j) => j.steps.filter(isCheckout).flatMap((s) => {
        const ref = asRecord(s.spec.with).ref;
        return typeof ref === 'string' && untrustedRef(ref) ? [{ line: doc.lineAt([...s.path, 'with', 'ref']), evidence: `ref: ${ref}` }] : [];
      }));
    },
    positives: [WORKFLOW('      - uses: actions/checkout@v4\n        with: {ref: "${{ github.event.pull_request.head.sha }}"}\n', '[pull_request_target]')],
    negatives: [WORKFLOW('      - uses: actions/checkout@v4\n        with: {ref: "${{ github.event.pull_request.head.sha }}"}\n', '[pull_request]'), WORKFLOW(PINNED_CHECKOUT, '[pull_request_target]')],
  },
  {
    id: 'gha.template-injection',
    category: 'github-actions',
    title: 'Untrusted input expanded in a run script (template injection)',
    severity: 'high',
    description: 'A `${{ github.event.* }}`/github.head_ref expression controlled by outsiders (PR title, issue body, branch name, …) is pasted into a shell script before it runs: script injection.',
    remediation: 'Pass the value through an environment variable (`env: TITLE: ${{ github.event.pull_request.title }}`) and use "$TITLE" in the script.',
    references: ['CWE-94', 'CWE-78', 'zizmor:template-injection', 'checkov:CKV_GHA_2'],
    check: (doc) => scripts(doc).flatMap(({ text, path }) => {
      const hits: RuleHit[] = [];
      for (const m of workflowExpressions(text)) {
        if (PATTERNS.untrustedContext.test(m.inner)) hits.push({ line: lineInScalar(doc, path, text, m.index), evidence: m.expression, key: `${String(path[1])} ${m.expression}` });
      }
      return hits;
    }),
    positives: [WORKFLOW('      - run: echo "${{ github.event.pull_request.title }}"\n', '[pull_request_target]'), WORKFLOW('      - run: |\n          echo start\n          git checkout ${{ github.head_ref }}\n', 'pull_request')],
    negatives: [WORKFLOW('      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo "$TITLE"\n'), WORKFLOW('      - run: echo "${{ github.sha }} ${{ github.event.pull_request.number }}"\n')],
  },
  {
    id: 'gha.secrets-inherit',
    category: 'github-actions',
    title: 'Reusable workflow called with secrets: inherit',
    severity: 'medium',
    description: 'Every secret of the caller is passed to the called workflow, not just the ones it needs.',
    remediation: 'Pass only the required secrets explicitly under `secrets:`.',
    references: ['CWE-200', 'zizmor:secrets-inherit'],
    check: (doc) => doc.jobs.filter((j) => j.spec.secrets === 'inherit').map((j) => ({ line: doc.lineAt(['jobs', j.id, 'secrets']), evidence: `${j.id}: secrets: inherit` })),
    positives: ['on: push\npermissions: {contents: read}\njobs:\n  call:\n    uses: org/repo/.github/workflows/deploy.yml@' + 'b'.repeat(40) + '\n    secrets: inherit\n'],
    negatives: ['on: push\npermissions: {contents: read}\njobs:\n  call:\n    uses: org/repo/.github/workflows/deploy.yml@' + 'b'.repeat(40) + '\n    secrets:\n      token: ${{ secrets.DEPLOY_TOKEN }}\n'],
  },
  {
    id: 'gha.checkout-persist-credentials',
    category: 'github-actions',
    title: 'actions/checkout keeps the token on disk',
    severity: 'low',
    description: 'Without `persist-credentials: false`, checkout stores the GITHUB_TOKEN in .git/config where later steps (and uploaded artifacts) can read it.',
    remediation: 'Add `with: {persist-credentials: false}` to actions/checkout unless a later step pushes with it.',
    references: ['CWE-522', 'zizmor:artipacked'],
    fix: { kind: 'workflow.checkout-persist-credentials' },
    check: (doc) => doc.jobs.flatMap((j) => j.steps.filter(isCheckout).filter((s) => {
      const v = asRecord(s.spec.with)['persist-credentials'];
      return v !== false && v !== 'false';
    }).map((s) => ({ line: doc.lineAt([...s.path, 'uses']), evidence: `uses: ${usesOf(s)}` }))),
    positives: [WORKFLOW('      - uses: actions/checkout@v4\n')],
    negatives: [WORKFLOW(PINNED_CHECKOUT)],
  },
  {
    id: 'gha.missing-timeout',
    category: 'github-actions',
    title: 'Job without timeout-minutes',
    severity: 'low',
    description: 'Jobs default to a 6-hour timeout: a hung step burns runner minutes (and keeps secrets in memory) for hours.',
    remediation: 'Set `timeout-minutes:` on every job (e.g. 15).',
    references: ['CWE-400'],
    fix: { kind: 'workflow.timeout', minutes: 15 },
    check: (doc) => doc.jobs.filter((j) => j.spec.uses === undefined && j.spec['timeout-minutes'] === undefined).map((j) => ({ line: doc.lineAt(['jobs', j.id]), evidence: `job ${j.id}` })),
    positives: ['on: push\npermissions: {contents: read}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n'],
    negatives: [WORKFLOW(PINNED_CHECKOUT)],
  },
  {
    id: 'gha.self-hosted-on-pull-request',
    category: 'github-actions',
    title: 'Self-hosted runner used for pull requests',
    severity: 'high',
    description: 'Pull requests (possibly from forks) run on a self-hosted runner: their code can persist on, and pivot from, your infrastructure.',
    remediation: 'Use GitHub-hosted or ephemeral isolated runners for pull request workflows.',
    references: ['CWE-829', 'zizmor:self-hosted-runner'],
    check: (doc) => {
      if (!doc.triggers.some((t) => PR_TRIGGERS.has(t))) return [];
      return doc.jobs.filter((j) => {
        const runsOn = j.spec['runs-on'];
        const labels = typeof runsOn === 'string' ? [runsOn] : Array.isArray(runsOn) ? runsOn.map(String) : asArray(asRecord(runsOn).labels).map(String);
        return labels.includes('self-hosted');
      }).map((j) => ({ line: doc.lineAt(['jobs', j.id, 'runs-on']), evidence: `${j.id}: runs-on self-hosted` }));
    },
    positives: ['on: pull_request\npermissions: {contents: read}\njobs:\n  t:\n    runs-on: [self-hosted, linux]\n    timeout-minutes: 5\n    steps: [{run: make}]\n'],
    negatives: ['on: push\npermissions: {contents: read}\njobs:\n  t:\n    runs-on: [self-hosted, linux]\n    timeout-minutes: 5\n    steps: [{run: make}]\n'],
  },
  {
    id: 'gha.curl-pipe-shell',
    category: 'github-actions',
    title: 'Remote script piped into a shell',
    severity: 'high',
    description: 'A run step downloads a script with curl/wget and pipes it straight into a shell, executing unverified remote code in CI.',
    remediation: 'Use a pinned action or download to a file and verify its checksum before running it.',
    references: ['CWE-494', 'CWE-829'],
    check: (doc) => scripts(doc).flatMap(({ text, path }) => findDownloadPipedToShell(text).map((offset) => {
      const lineOffsetIndex = text.split('\n').slice(0, offset).join('\n').length;
      return { line: lineInScalar(doc, path, text, offset === 0 ? 0 : lineOffsetIndex + 1), evidence: (text.split('\n')[offset] ?? '').trim() };
    })),
    positives: [WORKFLOW('      - run: curl -sL https://example.com/install.sh | sh\n'), WORKFLOW('      - run: |\n          set -e\n          wget -qO- https://x.example/i.sh | bash\n')],
    negatives: [WORKFLOW('      - run: curl -fsSLo i.sh https://x.example/i.sh && sha256sum -c i.sh.sha256 && sh i.sh\n')],
  },
  {
    id: 'gha.insecure-commands',
    category: 'github-actions',
    title: 'ACTIONS_ALLOW_UNSECURE_COMMANDS enabled',
    severity: 'high',
    description: 'Re-enables the deprecated set-env/add-path workflow commands, which let any log output inject environment variables.',
    remediation: 'Remove ACTIONS_ALLOW_UNSECURE_COMMANDS and use $GITHUB_ENV / $GITHUB_PATH.',
    references: ['CWE-77', 'zizmor:insecure-commands', 'checkov:CKV_GHA_1'],
    check: (doc) => {
      const hits: RuleHit[] = [];
      const visit = (env: unknown, path: YamlPath) => {
        const v = asRecord(env).ACTIONS_ALLOW_UNSECURE_COMMANDS;
        if (v === true || String(v).toLowerCase() === 'true') hits.push({ line: doc.lineAt([...path, 'ACTIONS_ALLOW_UNSECURE_COMMANDS']), evidence: 'ACTIONS_ALLOW_UNSECURE_COMMANDS: true' });
      };
      visit(doc.value.env, ['env']);
      for (const j of doc.jobs) {
        visit(j.spec.env, ['jobs', j.id, 'env']);
        for (const s of j.steps) visit(s.spec.env, [...s.path, 'env']);
      }
      return hits;
    },
    positives: ['on: push\nenv:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: true\njobs: {}\n'],
    negatives: [WORKFLOW(PINNED_CHECKOUT)],
  },
  {
    id: 'gha.hardcoded-container-credentials',
    category: 'github-actions',
    title: 'Hard-coded container registry password',
    severity: 'high',
    description: 'A job container or service container has a literal credentials.password in the workflow file.',
    remediation: 'Use `password: ${{ secrets.REGISTRY_PASSWORD }}`.',
    references: ['CWE-798', 'zizmor:hardcoded-container-credentials'],
    check: (doc) => doc.jobs.flatMap((j) => {
      const containers: Array<[unknown, YamlPath]> = [[j.spec.container, ['jobs', j.id, 'container']],
        ...Object.entries(asRecord(j.spec.services)).map(([name, c]): [unknown, YamlPath] => [c, ['jobs', j.id, 'services', name]])];
      return containers.flatMap(([c, path]) => {
        const password = asRecord(asRecord(c).credentials).password;
        return typeof password === 'string' && !password.includes('${{') ? [{ line: doc.lineAt([...path, 'credentials', 'password']), evidence: `password: ${redact(password)}` }] : [];
      });
    }),
    positives: ['on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container:\n      image: ghcr.io/org/img:1\n      credentials:\n        username: bot\n        password: hunter2hunter2\n'],
    negatives: ['on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container:\n      image: ghcr.io/org/img:1\n      credentials:\n        username: bot\n        password: ${{ secrets.GHCR }}\n'],
  },
];

/** Runs every GitHub Actions rule over one workflow file. Pure: no I/O. */
export function checkWorkflow(content: string, path: string): Finding[] {
  const doc = parseWorkflow(content);
  if (!doc) return [];
  return sortFindings(WORKFLOW_RULES.flatMap((rule) => rule.check(doc).map((hit) => toFinding(rule, path, hit))));
}
