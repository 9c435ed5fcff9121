import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { severityRank, type AuditReport, type Severity } from '@linkops/shared/contracts';
import { auditRepository, defaultScannerFactories, toHtml, toMarkdown, toSarif, type AuditPhase } from '@linkops/scan-core';
import { LinkOpsClient } from '@linkops/client';

export type AuditFormat = 'table' | 'json' | 'sarif' | 'md' | 'html';

/** True when the report holds a finding at or above `threshold` (like Trivy's --exit-code). */
export function shouldFail(report: Pick<AuditReport, 'findings'>, threshold: Severity | 'none'): boolean {
  if (threshold === 'none') return false;
  const min = severityRank(threshold);
  return report.findings.some((f) => severityRank(f.severity) >= min);
}

export function renderTable(report: AuditReport): string {
  const lines: string[] = [];
  const sev = report.summary.by_severity;
  lines.push(`${report.repo_url} @ ${report.commit.slice(0, 12)}  GitOps score ${report.score}/100`);
  lines.push(`findings: ${report.summary.total} (critical ${sev.critical ?? 0}, high ${sev.high ?? 0}, medium ${sev.medium ?? 0}, low ${sev.low ?? 0})`);
  lines.push(`services: ${report.services.map((s) => `${s.name}${s.ports.length ? `:${s.ports.join(',')}` : ''}`).join('  ') || '(none found)'}`);
  lines.push('');
  const rows = report.findings.map((f) => [f.severity.toUpperCase(), f.rule_id, `${f.location.path}:${f.location.start_line}`, f.title]);
  const widths = [8, Math.min(40, Math.max(7, ...rows.map((r) => r[1]!.length))), Math.min(50, Math.max(8, ...rows.map((r) => r[2]!.length)))];
  for (const r of rows) lines.push(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`);
  lines.push('');
  lines.push('checks:');
  for (const c of report.checks) lines.push(`  ${c.score === null ? ' n/a' : `${String(c.score).padStart(2)}/10`}  ${c.title}`);
  return lines.join('\n');
}

export function formatReport(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2);
    case 'sarif':
      return JSON.stringify(toSarif(report), null, 2);
    case 'md':
      return toMarkdown(report);
    case 'html':
      return toHtml(report);
    default:
      return renderTable(report);
  }
}

/** A one-line progress bar on stderr, only when stderr is a terminal. */
function progressBar(): (phase: AuditPhase, done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  let last = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (now - last < 80 && done !== total) return;
    last = now;
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    process.stderr.write(`\r${phase.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}   `);
    if (phase === 'report') process.stderr.write('\n');
  };
}

export async function auditLocally(target: string, opts: { ref?: string; history?: boolean }): Promise<AuditReport> {
  const tmpRoot = join(tmpdir(), 'linkops-cli');
  mkdirSync(tmpRoot, { recursive: true });
  const isPath = !/^[a-z][a-z0-9+.-]*:\/\//i.test(target);
  const engines = await defaultScannerFactories();
  const secrets = (await import('@linkops/secrets')) as { scanHistory?: (dir: string) => Promise<AuditReport['findings']> };
  return auditRepository(
    { repo_url: isPath ? resolve(target) : target, ref: opts.ref ?? null, history: opts.history ?? false },
    {
      // The CLI runs on the user's own machine: local paths are what they usually audit.
      allowLocal: true,
      allowedHosts: process.env.AUDIT_ALLOWED_HOSTS?.split(',').map((s) => s.trim()).filter(Boolean),
      tmpRoot,
      timeoutMs: 300_000,
      maxBytes: 2 * 1024 * 1024 * 1024,
      scannerFactories: engines,
      historyScanner: opts.history ? secrets.scanHistory : undefined,
      onProgress: progressBar(),
    },
  );
}

export async function auditRemotely(target: string, server: string, opts: { ref?: string; token?: string }): Promise<AuditReport> {
  const client = new LinkOpsClient({ auditUrl: server, token: opts.token });
  const outcome = await client.audit(target, { wait: 600, ...(opts.ref ? { ref: opts.ref } : {}) });
  if (!outcome.report) throw new Error(`scan ${outcome.scan_id} ended ${outcome.status} without a report`);
  return outcome.report;
}
