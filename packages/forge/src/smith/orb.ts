/**
 * Orb body design (one shape for every platform, documented in README.md):
 *
 *   body:
 *     steps:        ordered runbook, always present; each {name, snippet?, source_step, run? | uses? | manual? | trigger?}
 *     workflow:     GitHub Actions reusable workflow (on: workflow_call) — present for gha orbs and whenever a CI step matched
 *     manifests:    Kubernetes objects by role: argocd_application, kustomization — present when a step produced them
 *     known_failures: agent failure notes (feedback_context) this version responds to — present after feedback
 *
 * `${input_name}` placeholders inside manifests are filled from the orb inputs by whoever applies them (the rune does).
 * The workflow never interpolates inputs into `run:`; it passes them through `env:`.
 */
import type { ArtifactInput, Platform } from '@linkops/shared/contracts';
import { pinnedUses } from '../enhance/pins.js';
import { isRecord } from '../util.js';
import type { PlannedStep } from './match.js';
import type { GhaStep, RuneOp } from './snippets.js';

export interface OrbStep {
  name: string;
  snippet?: string;
  source_step: number;
  run?: string;
  uses?: string;
  manual?: string;
  trigger?: string;
}

export interface OrbBody {
  steps: OrbStep[];
  workflow?: Record<string, unknown>;
  manifests?: { argocd_application?: Record<string, unknown>; kustomization?: Record<string, unknown> };
  /** Failure notes from agents (feedback_context) that triggered this re-smith. */
  known_failures?: string[];
}

export const DEFAULT_JOB_TIMEOUT_MINUTES = 30;

/** Shell-style display of an argv for humans (the rune itself never goes through a shell). */
export function displayArgv(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@,+${}-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function describeOp(op: RuneOp): string {
  switch (op.kind) {
    case 'cmd':
      return displayArgv(op.argv);
    case 'file':
      return `write ${op.path} from ${typeof op.content === 'string' ? `body.${op.content === 'workflow' ? 'workflow' : `manifests.${op.content}`}` : 'inline text'}`;
    case 'slack':
      return 'post a message to the Slack webhook (SLACK_WEBHOOK_URL)';
  }
}

export function argocdApplication(): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: '${app_name}', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL: '${repo_url}', targetRevision: '${target_revision}', path: 'charts/${chart_name}' },
      destination: { server: '${dest_server}', namespace: '${namespace}' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
}

export function kustomization(): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: '${namespace}',
    resources: [],
  };
}

/** All inputs the plan needs, first declaration wins, required ones first. */
export function collectInputs(plan: PlannedStep[]): ArtifactInput[] {
  const byName = new Map<string, ArtifactInput>();
  for (const p of plan) if (p.kind === 'snippet') for (const i of p.snippet.inputs) if (!byName.has(i.name)) byName.set(i.name, i);
  return [...byName.values()];
}

const gitHubSecretName = (inputName: string) => inputName.toUpperCase();

/** `${{ inputs.x }}` -> `${{ inputs.x || 'default' }}` so the workflow also works on push/pull_request triggers. */
function withDefaults(value: unknown, inputs: ArtifactInput[]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const i of inputs) {
      if (i.default === undefined || i.secret) continue;
      const literal = typeof i.default === 'string' ? `'${i.default.replace(/'/g, "''")}'` : String(i.default);
      out = out.split(`\${{ inputs.${i.name} }}`).join(`\${{ inputs.${i.name} || ${literal} }}`);
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => withDefaults(v, inputs));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDefaults(v, inputs)]));
  return value;
}

function ghaStep(step: GhaStep): Record<string, unknown> {
  const out: Record<string, unknown> = { name: step.name };
  if (step.id) out.id = step.id;
  if (step.if) out.if = step.if;
  if (step.uses) {
    const pinned = pinnedUses(step.uses);
    // The library only uses curated actions; a missing pin is a library bug caught by tests.
    out.uses = pinned ? pinned.uses : step.uses;
  }
  if (step.with) out.with = { ...step.with };
  if (step.env) out.env = { ...step.env };
  if (step.run) out.run = step.run;
  return out;
}

/** The GitHub Actions reusable workflow for the automatable part of the plan. */
export function buildWorkflow(plan: PlannedStep[], inputs: ArtifactInput[], title: string): Record<string, unknown> {
  const snippets = plan.flatMap((p) => (p.kind === 'snippet' ? [p.snippet] : []));
  const triggers = new Set<string>();
  const jobPermissions: Record<string, 'read' | 'write'> = { contents: 'read' };
  const checkoutWith: Record<string, string | number | boolean> = { 'persist-credentials': false };
  let needsCheckout = false;
  const steps: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const s of snippets) {
    if (!s.gha) continue;
    for (const t of s.gha.triggers ?? []) triggers.add(t);
    Object.assign(jobPermissions, s.gha.jobPermissions ?? {});
    Object.assign(checkoutWith, s.gha.checkoutWith ?? {});
    if (s.gha.needsCheckout) needsCheckout = true;
    for (const step of s.gha.steps) {
      const rendered = ghaStep(step);
      // Tool set-up steps (setup-helm) are shared by several snippets: keep the first only.
      const key = step.run ? JSON.stringify(rendered) : `${step.uses}|${JSON.stringify(step.with ?? {})}`;
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push(rendered);
    }
  }
  if (needsCheckout) {
    steps.unshift(ghaStep({ name: 'Check out repository', uses: 'actions/checkout', with: checkoutWith }));
  }
  const text = JSON.stringify(steps);
  const used = inputs.filter((i) => !i.secret && text.includes(`inputs.${i.name} `));
  const secrets = inputs.filter((i) => i.secret && text.includes(`secrets.${gitHubSecretName(i.name)} `));
  const workflowCall: Record<string, unknown> = {};
  if (used.length > 0) {
    workflowCall.inputs = Object.fromEntries(
      used.map((i) => [
        i.name,
        {
          description: i.description,
          type: i.type === 'enum' ? 'string' : i.type,
          required: i.required,
          ...(i.default === undefined ? {} : { default: i.default }),
        },
      ]),
    );
  }
  if (secrets.length > 0) {
    workflowCall.secrets = Object.fromEntries(secrets.map((i) => [gitHubSecretName(i.name), { description: i.description, required: i.required }]));
  }
  const on: Record<string, unknown> = { workflow_call: workflowCall };
  for (const t of [...triggers].sort()) on[t] = t === 'push' ? { branches: ['main'] } : {};
  return {
    name: title.slice(0, 100),
    on,
    permissions: { contents: 'read' },
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      run: {
        name: title.slice(0, 100),
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': DEFAULT_JOB_TIMEOUT_MINUTES,
        permissions: jobPermissions,
        steps: withDefaults(steps, inputs),
      },
    },
  };
}

export function buildOrbBody(plan: PlannedStep[], inputs: ArtifactInput[], platform: Platform, title: string): OrbBody {
  const steps: OrbStep[] = plan.map((p) => {
    if (p.kind === 'manual') {
      return { name: p.source.text.slice(0, 120), source_step: p.source.order, manual: p.source.code ? `${p.source.text}\n${p.source.code}` : p.source.text };
    }
    const s = p.snippet;
    const step: OrbStep = { name: s.title, snippet: s.id, source_step: p.source.order };
    const trigger = s.gha?.triggers?.[0];
    if (trigger) step.trigger = trigger;
    if (s.rune.length > 0) step.run = s.rune.map(describeOp).join('\n');
    const uses = s.gha?.steps.find((g) => g.uses)?.uses;
    if (uses && !step.run) step.uses = pinnedUses(uses)?.uses ?? uses;
    return step;
  });
  const body: OrbBody = { steps };
  const parts = new Set(plan.flatMap((p) => (p.kind === 'snippet' && p.snippet.part ? [p.snippet.part] : [])));
  if (platform === 'gha' || parts.has('workflow')) {
    body.workflow = buildWorkflow(plan, inputs, title);
  }
  const manifests: NonNullable<OrbBody['manifests']> = {};
  if (parts.has('argocd_application')) manifests.argocd_application = argocdApplication();
  if (parts.has('kustomization')) manifests.kustomization = kustomization();
  if (Object.keys(manifests).length > 0) body.manifests = manifests;
  return body;
}
