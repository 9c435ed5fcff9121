import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding, Severity } from '@linkops/shared/contracts';
import type { EngineRun } from './registry.js';

/** An optional third-party CLI run over the checkout when it is installed. */
export interface ExternalEngine {
  name: 'trivy' | 'semgrep' | 'gitleaks';
  /** The scanner name its findings carry (gitleaks results are secrets). */
  scanner: string;
  args(root: string, outFile: string): string[];
  /** Exit codes that still mean "ran, results written" (gitleaks exits 1 when it finds leaks). */
  okExitCodes: number[];
  versionArgs: string[];
}

export const EXTERNAL_ENGINES: readonly ExternalEngine[] = [
  {
    name: 'trivy',
    scanner: 'trivy',
    args: (root, out) => ['fs', '--quiet', '--skip-db-update', '--scanners', 'vuln,misconfig', '--format', 'sarif', '--output', out, root],
    okExitCodes: [0],
    versionArgs: ['--version'],
  },
  {
    name: 'semgrep',
    scanner: 'semgrep',
    args: (root, out) => ['scan', '--metrics=off', '--disable-version-check', '--quiet', '--config', 'auto', '--sarif', '--output', out, root],
    okExitCodes: [0, 1],
    versionArgs: ['--version'],
  },
  {
    name: 'gitleaks',
    scanner: 'secrets',
    args: (root, out) => ['detect', '--no-git', '--redact', '--no-banner', '--source', root, '--report-format', 'sarif', '--report-path', out],
    okExitCodes: [0, 1],
    versionArgs: ['version'],
  },
];

async function findOnPath(binary: string, envPath: string): Promise<string | null> {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

function run(file: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : err.killed ? -2 : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const LEVEL_SEVERITY: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'info' };

function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Turns a SARIF log into findings. Only rule ids, messages and locations are taken: snippets are
 * dropped because they can hold the very secret a tool found.
 */
export function sarifToFindings(sarif: unknown, scanner: string, engine: string, root: string): Finding[] {
  const out: Finding[] = [];
  for (const runEntry of arr(obj(sarif).runs)) {
    const rules = new Map<string, Json>();
    for (const rule of arr(obj(obj(obj(runEntry).tool).driver).rules)) {
      const id = str(obj(rule).id);
      if (id) rules.set(id, obj(rule));
    }
    for (const resultEntry of arr(obj(runEntry).results)) {
      const result = obj(resultEntry);
      const ruleId = str(result.ruleId) ?? 'unknown';
      const rule = rules.get(ruleId) ?? {};
      const loc = obj(obj(arr(result.locations)[0]).physicalLocation);
      let file = str(obj(loc.artifactLocation).uri) ?? '';
      file = file.replace(/^file:\/\//, '');
      if (path.isAbsolute(file)) file = path.relative(root, file);
      file = file.split(path.sep).join('/');
      const region = obj(loc.region);
      const start = typeof region.startLine === 'number' ? region.startLine : 0;
      const end = typeof region.endLine === 'number' ? region.endLine : start;
      const props = { ...obj(rule.properties), ...obj(result.properties) };
      const secScore = Number(props['security-severity']);
      const severity = Number.isFinite(secScore) ? severityFromScore(secScore) : LEVEL_SEVERITY[str(result.level) ?? 'warning'] ?? 'medium';
      const message = (str(obj(result.message).text) ?? str(obj(rule.shortDescription).text) ?? ruleId).slice(0, 500);
      const title = (str(obj(rule.shortDescription).text) ?? str(rule.name) ?? ruleId).slice(0, 200);
      const helpUri = str(rule.helpUri);
      out.push({
        rule_id: `${engine}:${ruleId}`,
        scanner,
        severity,
        title,
        message,
        location: { path: file, start_line: start, end_line: end },
        evidence: '',
        remediation: (str(obj(rule.help).text) ?? '').slice(0, 1000),
        references: [`${engine}:${ruleId}`, ...(helpUri ? [helpUri] : [])],
        fingerprint: createHash('sha256').update(`${engine}\0${ruleId}\0${file}\0${start}`).digest('hex'),
        metadata: { engine },
      });
    }
  }
  return out;
}

/** Keeps the first finding per (path, line, rule): engines often report the same issue twice. */
export function dedupeByLocation(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.location.path}\0${f.location.start_line}\0${f.rule_id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ExternalRunResult {
  findings: Finding[];
  engines: EngineRun[];
  warnings: string[];
  timings: Record<string, number>;
}

/** Runs every installed external engine (argument arrays, no shell, hard timeout). */
export async function runExternalEngines(
  root: string,
  opts: { timeoutMs: number; envPath?: string; engines?: readonly ExternalEngine[] },
): Promise<ExternalRunResult> {
  const envPath = opts.envPath ?? process.env.PATH ?? '';
  const result: ExternalRunResult = { findings: [], engines: [], warnings: [], timings: {} };
  for (const engine of opts.engines ?? EXTERNAL_ENGINES) {
    const binary = await findOnPath(engine.name, envPath);
    if (!binary) {
      result.engines.push({ name: engine.name, version: 'n/a', ran: false, note: 'not installed' });
      continue;
    }
    const started = Date.now();
    const versionOut = await run(binary, engine.versionArgs, Math.min(10_000, opts.timeoutMs));
    const version = /\d+\.\d+(?:\.\d+)?/.exec(versionOut.stdout + versionOut.stderr)?.[0] ?? 'unknown';
    const outDir = await mkdtemp(path.join(tmpdir(), `linkops-${engine.name}-`));
    const outFile = path.join(outDir, 'out.sarif');
    try {
      const ran = await run(binary, engine.args(root, outFile), opts.timeoutMs);
      if (!engine.okExitCodes.includes(ran.code)) {
        const why = ran.code === -2 ? `timed out after ${Math.round(opts.timeoutMs / 1000)} s` : `exit code ${ran.code}`;
        result.engines.push({ name: engine.name, version, ran: false, note: why });
        result.warnings.push(`${engine.name}: ${why}`);
        continue;
      }
      const text = await readFile(outFile, 'utf8').catch(() => ran.stdout);
      const parsed: unknown = JSON.parse(text);
      result.findings.push(...sarifToFindings(parsed, engine.scanner, engine.name, root));
      result.engines.push({ name: engine.name, version, ran: true });
    } catch (err) {
      result.engines.push({ name: engine.name, version, ran: false, note: 'output could not be read' });
      result.warnings.push(`${engine.name}: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}`);
    } finally {
      result.timings[engine.name] = Date.now() - started;
      await rm(outDir, { recursive: true, force: true });
    }
  }
  result.findings = dedupeByLocation(result.findings);
  return result;
}
