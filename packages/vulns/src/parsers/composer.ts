import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, LineIndex, pkg, str } from './util.js';

/** composer.lock: `packages` and `packages-dev` (dev). */
export function parseComposerLock(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid JSON (${errorMessage(err)})`] };
  }
  if (!isRecord(doc) || (!Array.isArray(doc.packages) && !Array.isArray(doc['packages-dev']))) {
    return { packages: [], warnings: [`${file}: no "packages" array, not a composer.lock`] };
  }
  const index = new LineIndex(content);
  const lineOfName = (name: string): number => {
    const at = content.indexOf(`"name": ${JSON.stringify(name)}`);
    return at < 0 ? 1 : index.lineAt(at);
  };
  const out: Package[] = [];
  for (const section of ['packages', 'packages-dev'] as const) {
    const list = doc[section];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isRecord(entry)) continue;
      const name = str(entry.name);
      const version = str(entry.version);
      if (!name || !version) continue;
      out.push(pkg('Packagist', name, version, file, lineOfName(name), { dev: section === 'packages-dev' }));
    }
  }
  return { packages: out, warnings: [] };
}
