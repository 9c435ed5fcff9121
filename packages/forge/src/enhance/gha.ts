/**
 * Mechanical hardening of a GitHub Actions workflow object (StepSecurity / zizmor / actionlint style):
 * SHA-pinned actions from the curated map, least-privilege permissions, job timeouts, concurrency,
 * expressions moved out of `run:` into `env:`, and checkout without persisted credentials.
 * Works on a deep copy; reports what it fixed and what it could not.
 */
import { ACTION_PINS, FULL_SHA, parseUses, pinnedUses } from './pins.js';
import type { Issue } from './issues.js';
import { isRecord } from '../util.js';

export const DEFAULT_TIMEOUT_MINUTES = 30;
/** `${{ ... }}` — the body excludes "}" so the scan is linear. */
export const EXPRESSION = /\$\{\{([^}$]*)\}\}/g;
/** Contexts an attacker can influence (titles, branch names, bodies, dispatch inputs). */
export const UNTRUSTED_CONTEXT = /^(github\.event\.|github\.head_ref|inputs\.)/;
export const DOWNLOADER = /(^|\s)(curl|wget)\s/;
export const SHELL_SINK = /^(sudo\s+)?(ba|z)?sh(\s|$)/;

/** `curl … | sh` on any line; split on "|" instead of one backtracking regex. */
export function pipesDownloadToShell(script: string): boolean {
  return script.split('\n').some((line) => {
    const segments = line.split('|');
    const first = segments.findIndex((seg) => DOWNLOADER.test(seg));
    return first >= 0 && segments.slice(first + 1).some((seg) => SHELL_SINK.test(seg.trim()));
  });
}

export interface HardenResult {
  workflow: Record<string, unknown>;
  issues: Issue[];
  /** run: scripts after hardening, for shellcheck. */
  scripts: { job: string; step: string; script: string }[];
}

function envName(expr: string, taken: Map<string, string>): string {
  const base =
    expr
      .replace(/^github\.event\./, '')
      .replace(/^inputs\./, 'INPUT_')
      .replace(/^github\./, 'GITHUB_CTX_')
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 48) || 'VALUE';
  let name = /^[A-Z_]/.test(base) ? base : `V_${base}`;
  let n = 2;
  while (taken.has(name) && taken.get(name) !== expr) name = `${base}_${n++}`;
  return name;
}

function permissionsFor(steps: unknown[]): Record<string, 'read' | 'write'> {
  const perms: Record<string, 'read' | 'write'> = { contents: 'read' };
  for (const s of steps) {
    if (!isRecord(s) || typeof s.uses !== 'string') continue;
    const ref = parseUses(s.uses);
    const extra = ref ? ACTION_PINS[ref.action]?.permissions : undefined;
    if (extra) Object.assign(perms, extra);
  }
  return perms;
}

function isWriteAll(p: unknown): boolean {
  return p === 'write-all' || (isRecord(p) && Object.values(p).every((v) => v === 'write') && Object.keys(p).length > 3);
}

function hardenUses(uses: string, where: string, issues: Issue[]): string {
  if (uses.startsWith('./')) return uses;
  if (uses.startsWith('docker://')) {
    if (!uses.includes('@sha256:')) issues.push({ severity: 'medium', rule: 'gha.unpinned-container', message: `${where}: ${uses} is not pinned by digest`, fixed: false });
    return uses;
  }
  const ref = parseUses(uses);
  if (!ref) return uses;
  if (ref.ref && FULL_SHA.test(ref.ref)) {
    const pin = ACTION_PINS[ref.action];
    if (!pin) issues.push({ severity: 'info', rule: 'gha.uncurated-action', message: `${where}: ${ref.action} is SHA-pinned but not in the curated pin map`, fixed: false });
    else if (pin.sha !== ref.ref) issues.push({ severity: 'low', rule: 'gha.pin-differs', message: `${where}: ${ref.action} pinned to a SHA other than the curated ${pin.version}`, fixed: false });
    return uses;
  }
  const pinned = pinnedUses(ref.action);
  if (pinned) {
    issues.push({ severity: 'high', rule: 'gha.unpinned-action', message: `${where}: ${uses} pinned to ${pinned.uses.slice(ref.action.length + 1, ref.action.length + 13)}… (${pinned.version})`, fixed: true });
    return pinned.uses;
  }
  issues.push({ severity: 'high', rule: 'gha.unpinned-action', message: `${where}: ${uses} is not pinned to a commit SHA and is not in the curated pin map`, fixed: false });
  return uses;
}

function hardenRun(step: Record<string, unknown>, where: string, issues: Issue[]): void {
  if (typeof step.run !== 'string') return;
  const env: Record<string, unknown> = isRecord(step.env) ? { ...step.env } : {};
  const taken = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') taken.set(k, v.replace(/^\$\{\{|\}\}$/g, '').trim());
  let moved = 0;
  let untrusted = 0;
  const script = step.run.replace(EXPRESSION, (_m, inner: string) => {
    const expr = inner.trim();
    const name = envName(expr, taken);
    taken.set(name, expr);
    env[name] = `\${{ ${expr} }}`;
    moved++;
    if (UNTRUSTED_CONTEXT.test(expr)) untrusted++;
    return `\${${name}}`;
  });
  if (moved > 0) {
    step.run = script;
    step.env = env;
    issues.push({
      severity: untrusted > 0 ? 'high' : 'low',
      rule: 'gha.expression-in-run',
      message: `${where}: ${moved} expression(s)${untrusted > 0 ? `, ${untrusted} attacker-controllable,` : ''} moved from run: into env:`,
      fixed: true,
    });
  }
  if (pipesDownloadToShell(script)) {
    issues.push({ severity: 'medium', rule: 'gha.curl-pipe-shell', message: `${where}: downloads and pipes a script into a shell`, fixed: false });
  }
}

export function hardenWorkflow(input: Record<string, unknown>): HardenResult {
  const wf = structuredClone(input);
  const issues: Issue[] = [];
  const scripts: HardenResult['scripts'] = [];

  const on = wf.on ?? (wf as Record<string, unknown>)['true'];
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : isRecord(on) ? Object.keys(on) : [];
  if (events.length === 0) issues.push({ severity: 'medium', rule: 'gha.no-trigger', message: 'workflow has no `on:` trigger', fixed: false });
  const targetTrigger = events.includes('pull_request_target') || events.includes('workflow_run');
  if (targetTrigger) {
    issues.push({ severity: 'high', rule: 'gha.dangerous-trigger', message: 'pull_request_target/workflow_run run with repository secrets on untrusted code; use pull_request', fixed: false });
  }

  if (wf.permissions === undefined) {
    wf.permissions = { contents: 'read' };
    issues.push({ severity: 'medium', rule: 'gha.no-permissions', message: 'top-level permissions added: contents: read', fixed: true });
  } else if (isWriteAll(wf.permissions)) {
    wf.permissions = { contents: 'read' };
    issues.push({ severity: 'high', rule: 'gha.write-all', message: 'top-level write-all permissions replaced by contents: read', fixed: true });
  }
  if (wf.concurrency === undefined) {
    wf.concurrency = { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true };
    issues.push({ severity: 'low', rule: 'gha.no-concurrency', message: 'concurrency group added', fixed: true });
  }

  const jobs = isRecord(wf.jobs) ? wf.jobs : undefined;
  if (!jobs || Object.keys(jobs).length === 0) {
    issues.push({ severity: 'high', rule: 'gha.no-jobs', message: 'workflow has no jobs', fixed: false });
    return { workflow: wf, issues, scripts };
  }
  for (const [jobName, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    if (typeof job.uses === 'string') {
      job.uses = hardenUses(job.uses, `job ${jobName}`, issues);
      continue;
    }
    const steps = Array.isArray(job.steps) ? job.steps : [];
    if (job['timeout-minutes'] === undefined) {
      job['timeout-minutes'] = DEFAULT_TIMEOUT_MINUTES;
      issues.push({ severity: 'low', rule: 'gha.no-timeout', message: `job ${jobName}: timeout-minutes: ${DEFAULT_TIMEOUT_MINUTES} added`, fixed: true });
    }
    if (job.permissions === undefined || isWriteAll(job.permissions)) {
      const wasWriteAll = job.permissions !== undefined;
      const perms = permissionsFor(steps);
      job.permissions = perms;
      issues.push({
        severity: wasWriteAll ? 'high' : 'medium',
        rule: 'gha.job-permissions',
        message: `job ${jobName}: least-privilege permissions set (${Object.entries(perms).map(([k, v]) => `${k}: ${v}`).join(', ')})`,
        fixed: true,
      });
    }
    steps.forEach((step, index) => {
      if (!isRecord(step)) return;
      const where = `job ${jobName} step ${typeof step.name === 'string' ? JSON.stringify(step.name) : index + 1}`;
      if (typeof step.uses === 'string') {
        const action = parseUses(step.uses)?.action;
        step.uses = hardenUses(step.uses, where, issues);
        if (action === 'actions/checkout') {
          const withBlock: Record<string, unknown> = isRecord(step.with) ? step.with : {};
          if (withBlock['persist-credentials'] !== false) {
            withBlock['persist-credentials'] = false;
            step.with = withBlock;
            issues.push({ severity: 'medium', rule: 'gha.persist-credentials', message: `${where}: persist-credentials: false set`, fixed: true });
          }
          const ref = typeof withBlock.ref === 'string' ? withBlock.ref : '';
          if (targetTrigger && /github\.event\.pull_request\.head|github\.head_ref/.test(ref)) {
            issues.push({ severity: 'critical', rule: 'gha.untrusted-checkout', message: `${where}: checks out the PR head under a privileged trigger`, fixed: false });
          }
        }
      }
      hardenRun(step, where, issues);
      if (typeof step.run === 'string') scripts.push({ job: jobName, step: where, script: step.run });
    });
  }
  return { workflow: wf, issues, scripts };
}
