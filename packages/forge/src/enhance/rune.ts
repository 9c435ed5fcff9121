import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFile } from './exec.js';
import type { Issue, IssueSeverity } from './issues.js';

const CHECKER = fileURLToPath(new URL('./rune_check.py', import.meta.url));
export const DEFAULT_SUBPROCESS_TIMEOUT = 600;
export const MAX_RUNE_BYTES = 512 * 1024;

interface CheckReport {
  compile_error: string | null;
  issues: { rule: string; severity: IssueSeverity; line: number; message: string }[];
  missing_timeouts: { line: number; col: number; call: string }[];
  main_guard: boolean;
  has_main: boolean;
  has_argparse: boolean;
  has_docstring: boolean;
  has_dry_run: boolean;
}

async function check(content: string, python: string): Promise<CheckReport | { unavailable: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'forge-rune-'));
  try {
    const file = join(dir, 'rune.py');
    writeFileSync(file, content);
    const result = await runFile(python, [CHECKER, file], 20_000);
    if (result.code !== 0) return { unavailable: (result.error ?? result.stderr).slice(0, 300) || `exit ${result.code}` };
    return JSON.parse(result.stdout) as CheckReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Insert `timeout=` before the closing parenthesis of each call (AST positions: 1-based line, UTF-8 byte column). */
function addTimeouts(content: string, calls: CheckReport['missing_timeouts']): string {
  let bytes = Buffer.from(content, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const offsets = calls
    .map((c) => (lineStarts[c.line - 1] ?? -1) + c.col - 1)
    .filter((o) => o >= 0 && bytes[o] === 0x29 /* ) */)
    .sort((a, b) => b - a);
  for (const close of offsets) {
    let back = close - 1;
    while (back >= 0 && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[back] ?? 0)) back--;
    // After "(" or a trailing "," only the keyword is needed; otherwise a separating comma too.
    const insert = bytes[back] === 0x2c || bytes[back] === 0x28 ? `timeout=${DEFAULT_SUBPROCESS_TIMEOUT}` : `, timeout=${DEFAULT_SUBPROCESS_TIMEOUT}`;
    const at = bytes[back] === 0x2c ? back + 1 : close;
    const glue = bytes[back] === 0x2c ? ' ' : '';
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(glue + insert), bytes.subarray(at)]);
  }
  return bytes.toString('utf8');
}

export interface RuneEnhanceResult {
  content: string;
  issues: Issue[];
}

let resolvedPython: Promise<string> | undefined;

/** pyenv-style shims cost seconds per start: resolve the real interpreter once. */
function realPython(): Promise<string> {
  resolvedPython ??= runFile(process.env.PYTHON ?? 'python3', ['-c', 'import sys; print(sys.executable)'], 20_000).then((r) =>
    r.code === 0 && r.stdout.trim() ? r.stdout.trim() : (process.env.PYTHON ?? 'python3'),
  );
  return resolvedPython;
}

/** py_compile + AST checks; mechanical fixes: subprocess timeouts, main guard. */
export async function enhanceRuneContent(content: string, pythonOverride?: string): Promise<RuneEnhanceResult> {
  const python = pythonOverride ?? (await realPython());
  if (Buffer.byteLength(content, 'utf8') > MAX_RUNE_BYTES) {
    return { content, issues: [{ severity: 'high', rule: 'rune.too-large', message: `rune larger than ${MAX_RUNE_BYTES} bytes`, fixed: false }] };
  }
  const issues: Issue[] = [];
  let current = content;
  let report = await check(current, python);
  if ('unavailable' in report) {
    return { content, issues: [{ severity: 'medium', rule: 'rune.python-unavailable', message: `python3 checks could not run: ${report.unavailable}`, fixed: false }] };
  }
  if (report.compile_error !== null) {
    return { content, issues: [{ severity: 'critical', rule: 'rune.compile', message: `py_compile failed: ${report.compile_error}`, fixed: false }] };
  }
  let changed = false;
  if (report.missing_timeouts.length > 0) {
    current = addTimeouts(current, report.missing_timeouts);
    changed = true;
    issues.push({
      severity: 'medium',
      rule: 'rune.subprocess-timeout',
      message: `timeout=${DEFAULT_SUBPROCESS_TIMEOUT} added to ${report.missing_timeouts.length} subprocess call(s) (lines ${report.missing_timeouts.map((c) => c.line).join(', ')})`,
      fixed: true,
    });
  }
  if (!report.main_guard && report.has_main) {
    current = `${current.trimEnd()}\n\n\nif __name__ == "__main__":\n    main()\n`;
    changed = true;
    issues.push({ severity: 'low', rule: 'rune.main-guard', message: 'if __name__ == "__main__": main() appended', fixed: true });
  }
  if (changed) {
    const after = await check(current, python);
    if ('unavailable' in after || after.compile_error !== null) {
      // A fix that breaks compilation is withdrawn: keep the original and report the problems unfixed.
      return { content, issues: [...issues.map((i) => ({ ...i, fixed: false })), { severity: 'low', rule: 'rune.fix-withdrawn', message: 'mechanical fixes did not compile and were not applied', fixed: false }] };
    }
    report = after;
  }
  for (const i of report.issues) issues.push({ severity: i.severity, rule: i.rule, message: `line ${i.line}: ${i.message}`, fixed: false });
  for (const c of report.missing_timeouts) issues.push({ severity: 'medium', rule: 'rune.subprocess-timeout', message: `line ${c.line}: ${c.call} without timeout`, fixed: false });
  if (!report.main_guard) issues.push({ severity: 'medium', rule: 'rune.main-guard', message: 'no if __name__ == "__main__": guard', fixed: false });
  if (!report.has_argparse) issues.push({ severity: 'medium', rule: 'rune.no-argparse', message: 'parameters are not declared with argparse', fixed: false });
  if (!report.has_dry_run) issues.push({ severity: 'medium', rule: 'rune.no-dry-run', message: 'no --dry-run mode', fixed: false });
  if (!report.has_docstring) issues.push({ severity: 'low', rule: 'rune.no-docstring', message: 'module docstring (purpose, provenance) missing', fixed: false });
  return { content: current, issues };
}
