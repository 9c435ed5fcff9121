import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Walks `dir` depth-first in name order (so runs are repeatable) and calls `visit` for each non-empty file whose
 * name matches `extensions` and whose size is at most `maxFileBytes`; `visit` returns how many bytes it kept,
 * and the walk stops once `capBytes` have been kept. For benchmarks and generators, not for scans.
 */
export function walkTextFiles(
  dir: string,
  options: { extensions: RegExp; capBytes: number; maxFileBytes?: number },
  visit: (fullPath: string) => number,
): number {
  const maxFileBytes = options.maxFileBytes ?? 256 * 1024;
  let kept = 0;
  const walk = (d: string) => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (kept >= options.capBytes) return;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && options.extensions.test(e.name)) {
        const size = statSync(full).size;
        if (size > 0 && size <= maxFileBytes) kept += visit(full);
      }
    }
  };
  walk(dir);
  return kept;
}
