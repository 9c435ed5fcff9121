import { mkdir, mkdtemp, readdir, lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleGit, type SimpleGit } from 'simple-git';
import { validateRef, type ValidatedRepo } from './url.js';

export type CloneErrorCode = 'timeout' | 'too_large' | 'failed';

/** A clone that did not produce a usable checkout; the temp dir is already gone when this is thrown. */
export class CloneError extends Error {
  override readonly name = 'CloneError';
  constructor(
    readonly code: CloneErrorCode,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

export interface CloneOptions {
  ref?: string | null;
  /** Full history (for history-mode secret scanning); otherwise depth 1. */
  history?: boolean;
  timeoutMs: number;
  /** Limit on the clone directory (working tree + .git), checked while git runs. */
  maxBytes: number;
  tmpRoot: string;
  /** How often the size watcher measures the directory. */
  sizePollMs?: number;
}

export interface ClonedRepository {
  dir: string;
  commit: string;
  cleanup(): Promise<void>;
}

/** Total bytes under dir without following symlinks; tolerant of files vanishing mid-walk. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else {
        const st = await lstat(full).catch(() => null);
        if (st) total += st.size;
      }
    }
  }
  return total;
}

/** The environment every git call on an untrusted repository runs with. */
export function gitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    // Ignore the host's system and user config (url.insteadOf, credential helpers, hooks).
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_PROTOCOL_FROM_USER: '0',
  };
}

/** `-c` settings every git call on an untrusted repository runs with. */
export function gitConfig(local: boolean): string[] {
  return [
    'core.hooksPath=/dev/null',
    'core.fsmonitor=false',
    'protocol.allow=never',
    'protocol.https.allow=always',
    `protocol.file.allow=${local ? 'always' : 'never'}`,
    'protocol.ext.allow=never',
    'submodule.recurse=false',
    'filter.lfs.smudge=',
    'filter.lfs.process=',
    'filter.lfs.required=false',
    'advice.detachedHead=false',
  ];
}

function makeGit(baseDir: string, local: boolean, signal: AbortSignal): SimpleGit {
  return simpleGit({
    baseDir,
    config: gitConfig(local),
    abort: signal,
    // These switches let simple-git pass the restrictive values above; no user input reaches config.
    unsafe: {
      allowUnsafeHooksPath: true,
      allowUnsafeProtocolOverride: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeFilter: true,
      allowUnsafeAskPass: true,
      allowUnsafeFsMonitor: true,
    },
  }).env(gitEnv());
}

const SHA_LIKE = /^[0-9a-f]{7,40}$/i;

/**
 * Clones a validated source into a fresh temp dir under tmpRoot: shallow and single-branch unless
 * history is asked for, no submodules, no LFS smudge, no hooks, no prompts, only the needed protocol.
 * Local sources go through file:// too, so the scan sees the committed tree and never a dirty worktree.
 */
export async function cloneRepository(source: ValidatedRepo, opts: CloneOptions): Promise<ClonedRepository> {
  const ref = opts.ref ? validateRef(opts.ref) : null;
  const local = source.kind === 'local';
  const remote = local ? pathToFileURL(source.url).href : source.url;
  await mkdir(opts.tmpRoot, { recursive: true });
  const workRoot = await mkdtemp(path.join(opts.tmpRoot, 'linkops-clone-'));
  const dir = path.join(workRoot, 'repo');
  const cleanup = () => rm(workRoot, { recursive: true, force: true, maxRetries: 3 });

  const controller = new AbortController();
  let stopReason: CloneError | null = null;
  const stop = (err: CloneError) => {
    if (!stopReason) {
      stopReason = err;
      controller.abort();
    }
  };
  const timer = setTimeout(() => stop(new CloneError('timeout', `clone did not finish within ${Math.round(opts.timeoutMs / 1000)} s`)), opts.timeoutMs);
  let measuring = false;
  const tooLarge = () => new CloneError('too_large', `repository exceeds the ${Math.round(opts.maxBytes / 1048576)} MB size limit`);
  const watcher = setInterval(() => {
    if (measuring) return;
    measuring = true;
    directorySize(workRoot)
      .then((bytes) => {
        if (bytes > opts.maxBytes) stop(tooLarge());
      })
      .finally(() => {
        measuring = false;
      });
  }, opts.sizePollMs ?? 250);

  try {
    const git = makeGit(workRoot, local, controller.signal);
    const cloneArgs = ['--no-recurse-submodules', '--no-tags'];
    if (!opts.history) cloneArgs.push('--depth', '1');
    const shaRef = ref !== null && SHA_LIKE.test(ref);
    if (ref && !shaRef) cloneArgs.push('--single-branch', '--branch', ref);
    else if (shaRef) cloneArgs.push('--no-checkout');
    else cloneArgs.push('--single-branch');
    await git.clone(remote, dir, cloneArgs);

    const repoGit = makeGit(dir, local, controller.signal);
    if (shaRef) {
      // A bare commit cannot be named in --branch: fetch it directly, or deepen until it is present.
      if (!opts.history) {
        try {
          await repoGit.raw(['fetch', '--depth', '1', '--no-tags', 'origin', ref]);
        } catch {
          if (stopReason) throw stopReason;
          await repoGit.raw(['fetch', '--unshallow', '--no-tags', 'origin']);
        }
      }
      await repoGit.raw(['checkout', '--detach', '--quiet', ref]);
    }
    const commit = (await repoGit.revparse(['HEAD'])).trim();
    if (stopReason) throw stopReason;
    if ((await directorySize(workRoot)) > opts.maxBytes) throw tooLarge();
    return { dir, commit, cleanup };
  } catch (err) {
    await cleanup();
    if (stopReason) {
      // The aborted git may still be flushing a moment after its promise rejected: sweep again.
      await new Promise((r) => setTimeout(r, 200));
      await cleanup();
      throw stopReason;
    }
    if (err instanceof CloneError) throw err;
    throw new CloneError('failed', describeGitFailure(err));
  } finally {
    clearTimeout(timer);
    clearInterval(watcher);
  }
}

/** One line a user can act on; git's stderr can be long and may echo the URL. */
function describeGitFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^(fatal|error):/.test(l));
  const msg = (line ?? text.split('\n')[0] ?? 'git failed').replace(/https:\/\/[^@\s/]+@/g, 'https://');
  return `git clone failed: ${msg.slice(0, 300)}`;
}
