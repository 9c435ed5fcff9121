import { parse as parseYaml } from 'yaml';
import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, pkg, str } from './util.js';

/**
 * Name and version from a pnpm `packages:` key:
 *  v5  `/name/1.2.3_peer@1.0.0`, `/@scope/name/1.2.3`
 *  v6  `/name@1.2.3(peer@1.0.0)`
 *  v9  `name@1.2.3` (peer suffixes only under `snapshots:`)
 */
export function parsePnpmKey(key: string, major: number): { name: string; version: string } | null {
  let k = key.startsWith('/') ? key.slice(1) : key;
  const paren = k.indexOf('(');
  if (paren >= 0) k = k.slice(0, paren);
  if (major >= 6) {
    const at = k.lastIndexOf('@');
    if (at <= 0) return null;
    return { name: k.slice(0, at), version: k.slice(at + 1) };
  }
  const slash = k.lastIndexOf('/');
  if (slash <= 0) return null;
  const version = k.slice(slash + 1).split('_')[0] ?? '';
  return { name: k.slice(0, slash), version };
}

function packagesSectionLines(content: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = content.split('\n');
  let inPackages = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (/^\S/.test(l)) inPackages = l === 'packages:';
    else if (inPackages) {
      const m = /^ {2}(['"]?)(\S.*?)\1:\s*$/.exec(l);
      if (m) out.set(m[2]!, i + 1);
    }
  }
  return out;
}

/** pnpm-lock.yaml lockfileVersion 5.x, 6.0 and 9.0. */
export function parsePnpmLock(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(content);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid YAML (${errorMessage(err)})`] };
  }
  if (!isRecord(doc) || doc.lockfileVersion === undefined) {
    return { packages: [], warnings: [`${file}: no lockfileVersion, not a pnpm lockfile`] };
  }
  const major = Math.floor(Number.parseFloat(String(doc.lockfileVersion)));
  const packages = isRecord(doc.packages) ? doc.packages : {};

  // Direct dependencies: every importer's (workspace project's) declared deps; v5 single-project files keep them at top level.
  const direct = new Set<string>();
  const importers = isRecord(doc.importers) ? Object.values(doc.importers) : [doc];
  for (const importer of importers) {
    if (!isRecord(importer)) continue;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      const deps = importer[field];
      if (isRecord(deps)) for (const n of Object.keys(deps)) direct.add(n);
    }
  }

  const lines = packagesSectionLines(content);
  const out: Package[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    const parsed = parsePnpmKey(key, major);
    const e = isRecord(entry) ? entry : {};
    // Tarball/git deps carry explicit name and version fields.
    const name = str(e.name) ?? parsed?.name;
    const version = str(e.version) ?? parsed?.version;
    if (!name || !version || version.includes(':')) continue;
    out.push(pkg('npm', name, version, file, lines.get(key) ?? 1, { direct: direct.has(name), dev: e.dev === true }));
  }
  return { packages: out, warnings: [] };
}
