import type { Issue, IssueSeverity } from './issues.js';
import { isRecord } from '../util.js';

/**
 * @linkops/misconfig is written in parallel; it is imported lazily and its absence (or a different shape)
 * yields an info note instead of a failure. Expected: checkWorkflow(content, path) -> Finding[] (or a Promise).
 */
type CheckWorkflow = (content: string, path: string) => unknown;

let cached: Promise<CheckWorkflow | undefined> | undefined;

async function load(): Promise<CheckWorkflow | undefined> {
  try {
    const specifier = '@linkops/misconfig';
    const mod: unknown = await import(specifier);
    const fn = isRecord(mod) ? mod.checkWorkflow : undefined;
    return typeof fn === 'function' ? (fn as CheckWorkflow) : undefined;
  } catch {
    return undefined;
  }
}

export function loadCheckWorkflow(): Promise<CheckWorkflow | undefined> {
  cached ??= load();
  return cached;
}

const SEVERITIES: IssueSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

export async function misconfigIssues(content: string, path: string, check?: CheckWorkflow): Promise<Issue[]> {
  const fn = check ?? (await loadCheckWorkflow());
  if (!fn) return [{ severity: 'info', rule: 'misconfig.unavailable', message: '@linkops/misconfig checkWorkflow not available: workflow not cross-checked', fixed: false }];
  try {
    const raw = await fn(content, path);
    const list = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.findings) ? raw.findings : [];
    return list.filter(isRecord).map((f) => {
      const severity = SEVERITIES.includes(f.severity as IssueSeverity) ? (f.severity as IssueSeverity) : 'info';
      return { severity, rule: `misconfig.${String(f.rule_id ?? 'finding')}`, message: String(f.title ?? f.message ?? ''), fixed: false };
    });
  } catch (error) {
    return [{ severity: 'info', rule: 'misconfig.error', message: `checkWorkflow failed: ${String(error).slice(0, 200)}`, fixed: false }];
  }
}
