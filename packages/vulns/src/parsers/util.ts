import type { Ecosystem, Package } from '../types.js';

/** Maps character offsets to 1-based line numbers (binary search over newline offsets). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(content: string) {
    for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/**
 * Lines of every `"key": {` in a JSON document, per key in document order, so a depth-first walk of the
 * parsed object (which keeps key order) can take them one by one.
 */
export function jsonObjectKeyLines(content: string): Map<string, number[]> {
  const index = new LineIndex(content);
  const out = new Map<string, number[]>();
  const re = /"((?:[^"\\\n]|\\.)*)"\s*:\s*\{/g;
  for (let m = re.exec(content); m; m = re.exec(content)) {
    const key = m[1]!;
    const list = out.get(key);
    if (list) list.push(index.lineAt(m.index));
    else out.set(key, [index.lineAt(m.index)]);
  }
  return out;
}

/** Takes the next recorded line for a key (1 when the key was not found). */
export function takeLine(lines: Map<string, number[]>, key: string): number {
  const list = lines.get(key);
  return list && list.length > 0 ? (list.length > 1 ? list.shift()! : list[0]!) : 1;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function pkg(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  file: string,
  line: number,
  extra: { direct?: boolean; dev?: boolean; unpinned?: boolean } = {},
): Package {
  const p: Package = { ecosystem, name, version, direct: extra.direct ?? false, file, line };
  if (extra.dev) p.dev = true;
  if (extra.unpinned) p.unpinned = true;
  return p;
}
