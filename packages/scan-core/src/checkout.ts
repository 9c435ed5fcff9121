import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cloneRepository, gitConfig, gitEnv, type ClonedRepository } from './clone.js';
import { validateRepoUrl } from './url.js';

const execFileP = promisify(execFile);

export interface CheckoutOptions {
  allowLocal: boolean;
  allowedHosts?: string[];
  tmpRoot: string;
  timeoutMs: number;
  maxBytes: number;
}

/**
 * Clones a repository and checks out exactly `commit` (fetching it when the branch has moved on), so
 * that patches generated from an audit apply to what was audited.
 */
export async function checkoutCommit(repoUrl: string, commit: string, ref: string | null, opts: CheckoutOptions): Promise<ClonedRepository> {
  const source = await validateRepoUrl(repoUrl, { allowLocal: opts.allowLocal, allowedHosts: opts.allowedHosts ?? [] });
  const clone = await cloneRepository(source, { ref, history: false, timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, tmpRoot: opts.tmpRoot });
  if (clone.commit === commit || !/^[0-9a-f]{40}$/.test(commit)) return clone;
  // Same restrictions as the clone itself: no host config, hooks, prompts or unexpected protocols.
  const config = gitConfig(source.kind === 'local').flatMap((c) => ['-c', c]);
  const git = (args: string[]) => execFileP('git', [...config, '-C', clone.dir, ...args], { timeout: opts.timeoutMs, env: gitEnv() });
  try {
    await git(['fetch', '--depth', '1', 'origin', commit]);
    await git(['checkout', '--quiet', commit]);
    return { ...clone, commit };
  } catch (err) {
    await clone.cleanup();
    throw new Error(`commit ${commit.slice(0, 12)} is no longer reachable in ${repoUrl}: ${(err as Error).message.split('\n')[0]}`);
  }
}
