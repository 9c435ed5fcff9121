/**
 * One git-style unified diff over all new and modified files, accepted by `git apply` on the scanned
 * commit. jsdiff computes the hunks; we write the git headers ourselves.
 */
import { structuredPatch } from 'diff';

export interface FileChange {
  path: string;
  /** Content at the scanned commit; null for a new file. */
  before: string | null;
  after: string;
}

/** Git quotes paths with special characters; we refuse them instead of guessing the quoting rules. */
function assertPlainPath(path: string): void {
  if (!/^[A-Za-z0-9._@+\-/]+$/.test(path) || path.startsWith('/') || path.split('/').includes('..')) {
    throw new Error(`refusing to write a patch for unusual path ${JSON.stringify(path)}`);
  }
}

export function fileDiff(change: FileChange): string {
  assertPlainPath(change.path);
  const { path, before, after } = change;
  if (before === after) return '';
  const patch = structuredPatch(`a/${path}`, `b/${path}`, before ?? '', after, '', '', { context: 3 });
  const out: string[] = [`diff --git a/${path} b/${path}`];
  if (before === null) out.push('new file mode 100644', '--- /dev/null', `+++ b/${path}`);
  else out.push(`--- a/${path}`, `+++ b/${path}`);
  for (const h of patch.hunks) {
    // A new file's hunk must start at line 0 of the empty side, which is what git writes.
    const oldStart = before === null ? 0 : h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    out.push(`@@ -${oldStart},${h.oldLines} +${newStart},${h.newLines} @@`);
    out.push(...h.lines);
  }
  return out.join('\n') + '\n';
}

/** All changes in path order, as one patch. */
export function buildPatch(changes: FileChange[]): string {
  return [...changes]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(fileDiff)
    .join('');
}
