import { parse as parseToml } from 'smol-toml';
import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, pkg, str } from './util.js';

/** Cargo.lock: registry `[[package]]` entries; workspace members (no `source`) are skipped and their deps are direct. */
export function parseCargoLock(file: string, content: string): ParseResult {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(content) as Record<string, unknown>;
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid TOML (${errorMessage(err).split('\n')[0]})`] };
  }
  const list = doc.package;
  if (!Array.isArray(list)) return { packages: [], warnings: [`${file}: no [[package]] tables`] };
  const headerLines: number[] = [];
  content.split('\n').forEach((l, i) => {
    if (l.trim() === '[[package]]') headerLines.push(i + 2); // the `name = ` line follows the header
  });
  const direct = new Set<string>();
  for (const entry of list) {
    if (!isRecord(entry) || entry.source !== undefined || !Array.isArray(entry.dependencies)) continue;
    for (const d of entry.dependencies) if (typeof d === 'string') direct.add(d.split(' ')[0]!);
  }
  const out: Package[] = [];
  list.forEach((entry: unknown, i) => {
    if (!isRecord(entry)) return;
    const name = str(entry.name);
    const version = str(entry.version);
    const source = str(entry.source);
    if (!name || !version || !source?.startsWith('registry+')) return;
    out.push(pkg('crates.io', name, version, file, headerLines[i] ?? 1, { direct: direct.has(name) }));
  });
  return { packages: out, warnings: [] };
}
