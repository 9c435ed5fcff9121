import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Finding } from '@linkops/shared/contracts';
import { toFinding } from './engine.js';
import { isGloballyAllowlisted } from './paths.js';
import { engineFor, type SecretScanOptions } from './scan.js';

export interface HistoryScanOptions extends SecretScanOptions {
  /** Revisions to walk (`git log` arguments such as `main` or `v1.0..HEAD`); default every ref (`--all`). */
  revisions?: string[];
  /** Stop after this many commits (newest first, then scanned oldest first). */
  maxCommits?: number;
  /** git executable; default `git` from PATH. */
  gitBinary?: string;
}

/** Starts each commit header in our `--format`; diff lines never start with it (they start with +,-,@,d,...). */
const COMMIT_MARK = '\u001e';
const FIELD = '\u001f';

interface CommitInfo {
  commit: string;
  author: string;
  date: string;
}

/**
 * Secrets in lines ADDED by any commit of a clone (needs full history, not a shallow clone). Each secret is
 * reported once, at the commit that introduced it, with commit/author/date in its location. Fingerprints match
 * working-tree scans (rule + path + secret hash), so one baseline serves both modes.
 */
export async function scanHistory(repoDir: string, options: HistoryScanOptions = {}): Promise<Finding[]> {
  const engine = engineFor(options.rules);
  const baseline = new Set(options.baseline ?? []);
  const args = [
    '-C', repoDir, '-c', 'core.quotepath=false', '-c', 'diff.noprefix=false', 'log',
    '-p', '--no-color', '--unified=0', '--no-ext-diff', '--no-textconv', '--reverse', '--diff-filter=AMCR',
    `--format=${COMMIT_MARK}%H${FIELD}%an <%ae>${FIELD}%aI`,
  ];
  if (options.maxCommits !== undefined) args.push(`--max-count=${options.maxCommits}`);
  args.push(...(options.revisions?.length ? options.revisions : ['--all']), '--');

  const child = spawn(options.gitBinary ?? 'git', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });

  const seen = new Set<string>();
  const findings: Finding[] = [];
  let commit: CommitInfo | null = null;
  let path: string | null = null;
  let inHeader = false;
  let blockStart = 0;
  let nextLine = 0;
  let block: string[] = [];

  const flush = () => {
    if (block.length && commit && path && (options.includeAllowlistedPaths || !isGloballyAllowlisted(path))) {
      const text = block.join('\n');
      const matches = engine.scan(text, path);
      for (const m of matches) {
        const f = toFinding(text, path, m, matches);
        if (baseline.has(f.fingerprint) || seen.has(f.fingerprint)) continue;
        seen.add(f.fingerprint);
        f.location = {
          ...f.location,
          start_line: blockStart + m.startLine - 1,
          end_line: blockStart + m.endLine - 1,
          commit: commit.commit,
          author: commit.author,
          date: commit.date,
        };
        f.message = `${f.message.replace(/ at line \d+/, ` at line ${f.location.start_line}`)} Introduced in ${commit.commit.slice(0, 12)} by ${commit.author} on ${commit.date}.`;
        findings.push(f);
      }
    }
    block = [];
  };

  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith(COMMIT_MARK)) {
      flush();
      const [hash = '', author = '', date = ''] = line.slice(1).split(FIELD);
      commit = { commit: hash, author, date };
      path = null;
      inHeader = false;
    } else if (line.startsWith('diff --git ')) {
      flush();
      inHeader = true;
      path = null;
    } else if (inHeader) {
      if (line.startsWith('+++ ')) path = parseDiffPath(line.slice(4));
      else if (line.startsWith('@@')) inHeader = false;
      if (!inHeader) startHunk(line);
    } else if (line.startsWith('@@')) {
      startHunk(line);
    } else if (line.startsWith('+')) {
      if (block.length === 0) blockStart = nextLine;
      block.push(line.slice(1));
      nextLine++;
    }
  }
  flush();
  const code = await exited;
  if (code !== 0) throw new Error(`git log failed in ${repoDir} (exit ${code}): ${stderr.trim()}`);
  return findings;

  function startHunk(header: string) {
    flush();
    const m = /^@@+ [^+]*\+(\d+)/.exec(header);
    nextLine = m ? Number(m[1]) : 0;
  }
}

/** `b/some/path`, `"b/quoted path"` or `/dev/null` from a `+++` header line. */
function parseDiffPath(raw: string): string | null {
  let p = raw.replace(/\t$/, '');
  if (p === '/dev/null') return null;
  if (p.startsWith('"') && p.endsWith('"')) {
    try {
      p = JSON.parse(p) as string;
    } catch {
      p = p.slice(1, -1);
    }
  }
  return p.startsWith('b/') ? p.slice(2) : p;
}
