import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFile } from './exec.js';
import type { Issue, IssueSeverity } from './issues.js';
import { EXPRESSION } from './gha.js';

const CANDIDATES = ['/usr/bin/shellcheck', '/usr/local/bin/shellcheck', '/bin/shellcheck'];
/** SC2154: env vars come from the step's env: block, which shellcheck cannot see. */
const EXCLUDED = ['SC2154'];

export function findShellcheck(): string | undefined {
  const fromEnv = process.env.SHELLCHECK_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
}

const LEVEL: Record<string, IssueSeverity> = { error: 'medium', warning: 'low', info: 'info', style: 'info' };

/** Runs shellcheck once over all scripts; absent binary -> a note, never an error. */
export async function shellcheckScripts(scripts: { step: string; script: string }[], binary = findShellcheck()): Promise<Issue[]> {
  if (scripts.length === 0) return [];
  if (!binary) return [{ severity: 'info', rule: 'shellcheck.absent', message: 'shellcheck not installed: run: scripts not linted', fixed: false }];
  const dir = mkdtempSync(join(tmpdir(), 'forge-sc-'));
  try {
    const files = scripts.map((s, i) => {
      const file = join(dir, `step${i}.sh`);
      // Remaining ${{ }} expressions are replaced by a plain word so shellcheck parses the script.
      writeFileSync(file, `#!/bin/bash\n${s.script.replace(EXPRESSION, 'GHA_EXPR')}\n`);
      return file;
    });
    const result = await runFile(binary, ['-f', 'json1', '-s', 'bash', '-e', EXCLUDED.join(','), ...files], 20_000);
    if (result.error && !result.stdout) {
      return [{ severity: 'info', rule: 'shellcheck.failed', message: `shellcheck could not run: ${result.error.slice(0, 200)}`, fixed: false }];
    }
    const parsed = JSON.parse(result.stdout || '{"comments":[]}') as { comments?: { file: string; line: number; level: string; code: number; message: string }[] };
    return (parsed.comments ?? []).map((c) => {
      const index = files.indexOf(c.file);
      const where = scripts[index]?.step ?? 'run script';
      return { severity: LEVEL[c.level] ?? 'info', rule: `shellcheck.SC${c.code}`, message: `${where} line ${c.line - 1}: ${c.message}`, fixed: false };
    });
  } catch (error) {
    return [{ severity: 'info', rule: 'shellcheck.failed', message: `shellcheck output unreadable: ${String(error).slice(0, 200)}`, fixed: false }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
