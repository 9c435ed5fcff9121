import { createHash, randomUUID } from 'node:crypto';
import { readFile as fsReadFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AuditReportSchema,
  REPORT_SCHEMA_VERSION,
  SEVERITY_ORDER,
  severityRank,
  type AuditReport,
  type Finding,
  type Scanner,
  type Severity,
} from '@linkops/shared/contracts';
import { cloneRepository } from './clone.js';
import { computeCompliance, type ComplianceResult } from './compliance.js';
import { runExternalEngines, dedupeByLocation } from './external.js';
import { dedupeByFingerprint, runScanners, type EngineRun, type ScannerFactorySet, type ScannerProvider } from './registry.js';
import { buildRepoIndex } from './repo-index.js';
import { detectServices, type StructureReport } from './structure.js';
import { validateRef, validateRepoUrl } from './url.js';
import { walkRepository, type WalkResult } from './walk.js';

export const SCAN_CORE_VERSION = '0.1.0';

/** Stable order: most severe first, then path, line, rule. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.location.path.localeCompare(b.location.path) ||
      a.location.start_line - b.location.start_line ||
      a.rule_id.localeCompare(b.rule_id) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

export interface BuildReportInput {
  scanId?: string;
  repoUrl: string;
  ref: string | null;
  commit: string;
  createdAt?: Date;
  engines: EngineRun[];
  timings: Record<string, number>;
  walk: Pick<WalkResult, 'files' | 'bytes' | 'skipped' | 'languages'>;
  structure: StructureReport;
  compliance: ComplianceResult;
  findings: Finding[];
  warnings: string[];
  data: Record<string, unknown>;
}

/** Assembles and validates the report (throws if a part does not fit AuditReportSchema). */
export function buildReport(input: BuildReportInput): AuditReport {
  const findings = sortFindings(dedupeByFingerprint(input.findings));
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  const byScanner: Record<string, number> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byScanner[f.scanner] = (byScanner[f.scanner] ?? 0) + 1;
  }
  const report: AuditReport = {
    schema_version: REPORT_SCHEMA_VERSION,
    scan_id: input.scanId ?? randomUUID(),
    repo_url: input.repoUrl,
    ref: input.ref,
    commit: input.commit,
    created_at: (input.createdAt ?? new Date()).toISOString(),
    engines: input.engines,
    timings: input.timings,
    inventory: {
      files: input.walk.files.length,
      bytes: input.walk.bytes,
      skipped: input.walk.skipped,
      languages: input.walk.languages,
    },
    services: input.structure.services,
    edges: input.structure.edges,
    score: input.compliance.score,
    checks: input.compliance.checks,
    summary: { total: findings.length, by_severity: bySeverity, by_scanner: byScanner },
    findings,
    warnings: input.warnings,
    data: input.data,
  };
  return AuditReportSchema.parse(report);
}

/**
 * Cache key for a finished report: the same commit scanned by the same engine versions gives the
 * same report, so the service can return a cached one.
 */
export function reportCacheKey(repoUrl: string, commit: string, engines: readonly Pick<EngineRun, 'name' | 'version' | 'ran'>[]): string {
  const engineKey = [...engines]
    .map((e) => `${e.name}@${e.version}:${e.ran ? 1 : 0}`)
    .sort()
    .join(',');
  return createHash('sha256').update(`scan-core@${SCAN_CORE_VERSION}\n${repoUrl}\n${commit}\n${engineKey}`).digest('hex');
}

export type AuditPhase = 'validate' | 'clone' | 'walk' | 'scan' | 'external' | 'history' | 'structure' | 'compliance' | 'report';

export interface AuditRequest {
  repo_url: string;
  ref?: string | null;
  history?: boolean;
}

export interface AuditOptions {
  allowLocal: boolean;
  allowedHosts?: string[];
  tmpRoot: string;
  timeoutMs: number;
  maxBytes: number;
  /** Files larger than this are not scanned (counted as skipped too_large). Default 2 MB. */
  maxFileBytes?: number;
  scannerFactories: ScannerProvider[] | ScannerFactorySet;
  onProgress?: (phase: AuditPhase, done: number, total: number) => void;
  /** History mode: scans the full history (e.g. for secrets in old commits). */
  historyScanner?: (dir: string) => Promise<Finding[]>;
  /** Run trivy/semgrep/gitleaks when installed (default true). */
  externalEngines?: boolean;
  externalTimeoutMs?: number;
  resolve?: (host: string) => Promise<string[]>;
  scanId?: string;
}

function memoizedReader(root: string, known: ReadonlySet<string>): (p: string) => Promise<string | null> {
  // Structure detection and compliance read a small set of files several times; keep small ones
  // in memory, within a budget, so a huge repository does not end up cached whole.
  const cache = new Map<string, string | null>();
  let budget = 32 * 1024 * 1024;
  return async (p: string) => {
    if (!known.has(p)) return null;
    if (cache.has(p)) return cache.get(p)!;
    const text = await fsReadFile(path.join(root, p), 'utf8').catch(() => null);
    if (text === null || (text.length <= 256 * 1024 && budget >= text.length)) {
      cache.set(p, text);
      budget -= text?.length ?? 0;
    }
    return text;
  };
}

async function instantiate(providers: ScannerProvider[], engines: EngineRun[], warnings: string[]): Promise<Scanner[]> {
  const scanners: Scanner[] = [];
  for (const provider of providers) {
    try {
      const made = await provider();
      scanners.push(...(Array.isArray(made) ? made : [made]));
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 200);
      engines.push({ name: 'unknown', version: 'n/a', ran: false, note: `could not start: ${message}` });
      warnings.push(`a scanner could not be created: ${message}`);
    }
  }
  return scanners;
}

/**
 * The whole audit: validate the URL, clone safely, walk, run the scanners (and installed external
 * engines), detect services, compute compliance, assemble the report. The clone is always removed.
 * Throws RepoUrlError (bad input) or CloneError (clone failed/too large/timed out).
 */
export async function auditRepository(request: AuditRequest, opts: AuditOptions): Promise<AuditReport> {
  const timings: Record<string, number> = {};
  const progress = opts.onProgress ?? (() => undefined);
  const timed = async <T>(phase: AuditPhase, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = Math.round(performance.now() - started);
    }
  };
  const totalStart = performance.now();
  const ref = request.ref ? validateRef(request.ref) : null;

  progress('validate', 0, 1);
  const source = await timed('validate', () =>
    validateRepoUrl(request.repo_url, { allowLocal: opts.allowLocal, allowedHosts: opts.allowedHosts ?? [], ...(opts.resolve ? { resolve: opts.resolve } : {}) }),
  );
  progress('clone', 0, 1);
  const clone = await timed('clone', () =>
    cloneRepository(source, { ref, history: request.history ?? false, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, tmpRoot: opts.tmpRoot }),
  );
  try {
    progress('clone', 1, 1);
    const walk = await timed('walk', () =>
      walkRepository(clone.dir, { maxFileBytes: opts.maxFileBytes ?? 2 * 1024 * 1024, onProgress: (n) => progress('walk', n, 0) }),
    );
    const paths = walk.files.map((f) => f.path);
    const readFile = memoizedReader(clone.dir, new Set(paths));

    const engines: EngineRun[] = [];
    const warnings: string[] = [];
    const providers = Array.isArray(opts.scannerFactories) ? opts.scannerFactories : opts.scannerFactories.factories;
    if (!Array.isArray(opts.scannerFactories)) engines.push(...opts.scannerFactories.unavailable);
    const scanners = await instantiate(providers, engines, warnings);

    const scanned = await timed('scan', () =>
      runScanners({ root: clone.dir, paths, scanners, onProgress: (done, total) => progress('scan', done, total) }),
    );
    engines.unshift(...scanned.engines);
    warnings.push(...scanned.warnings);
    for (const [name, ms] of Object.entries(scanned.timings)) timings[`scanner:${name}`] = ms;
    let findings = scanned.findings;

    if (opts.externalEngines !== false) {
      progress('external', 0, 1);
      const external = await timed('external', () => runExternalEngines(clone.dir, { timeoutMs: opts.externalTimeoutMs ?? 120_000 }));
      engines.push(...external.engines);
      warnings.push(...external.warnings);
      for (const [name, ms] of Object.entries(external.timings)) timings[`engine:${name}`] = ms;
      findings = dedupeByLocation([...findings, ...external.findings]);
    }

    if (request.history) {
      if (opts.historyScanner) {
        progress('history', 0, 1);
        const historyScanner = opts.historyScanner;
        const old = await timed('history', () => historyScanner(clone.dir)).catch((err: unknown) => {
          warnings.push(`history scan failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}`);
          return [] as Finding[];
        });
        findings = [...findings, ...old];
      } else warnings.push('history mode asked for but no history scanner is configured');
    }

    progress('structure', 0, 1);
    const index = await buildRepoIndex(paths, readFile);
    const sizes = new Map(walk.files.map((f) => [f.path, f.size]));
    const structure = await timed('structure', () => detectServices(clone.dir, paths, readFile, { sizes, index }));
    progress('compliance', 0, 1);
    const compliance = await timed('compliance', () => computeCompliance({ services: structure.services, paths, readFile, findings, index }));
    progress('report', 0, 1);
    timings.total = Math.round(performance.now() - totalStart);
    const report = buildReport({
      ...(opts.scanId ? { scanId: opts.scanId } : {}),
      repoUrl: request.repo_url,
      ref,
      commit: clone.commit,
      engines,
      timings,
      walk,
      structure,
      compliance,
      findings,
      warnings,
      data: scanned.data,
    });
    progress('report', 1, 1);
    return report;
  } finally {
    await clone.cleanup();
  }
}
