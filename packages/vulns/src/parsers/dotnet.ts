import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, jsonObjectKeyLines, pkg, str } from './util.js';

/** NuGet packages.lock.json: one section per target framework; `Project` entries are local projects. */
export function parseNuGetLock(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid JSON (${errorMessage(err)})`] };
  }
  if (!isRecord(doc) || !isRecord(doc.dependencies)) {
    return { packages: [], warnings: [`${file}: no "dependencies" object, not a packages.lock.json`] };
  }
  const lines = jsonObjectKeyLines(content);
  const byKey = new Map<string, Package>();
  for (const framework of Object.values(doc.dependencies)) {
    if (!isRecord(framework)) continue;
    for (const [name, entry] of Object.entries(framework)) {
      if (!isRecord(entry) || entry.type === 'Project') continue;
      const version = str(entry.resolved);
      if (!version) continue;
      const key = `${name.toLowerCase()}@${version}`;
      const isDirect = entry.type === 'Direct';
      const existing = byKey.get(key);
      if (existing) {
        existing.direct ||= isDirect;
        continue;
      }
      byKey.set(key, pkg('NuGet', name, version, file, lines.get(name)?.[0] ?? 1, { direct: isDirect }));
    }
  }
  return { packages: [...byKey.values()], warnings: [] };
}
