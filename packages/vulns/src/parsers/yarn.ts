import { parse as parseYaml } from 'yaml';
import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, pkg, str } from './util.js';

/** yarn.lock: classic v1 (yarn's own format) or berry (YAML with `__metadata`). */
export function parseYarnLock(file: string, content: string): ParseResult {
  return /^__metadata:/m.test(content) ? parseBerry(file, content) : parseClassic(file, content);
}

/** Package name of a descriptor such as `@scope/name@^1.0.0` or `name@npm:^1`. */
function descriptorName(descriptor: string): string {
  const d = descriptor.trim().replace(/^"|"$/g, '');
  const at = d.indexOf('@', 1);
  return at < 0 ? d : d.slice(0, at);
}

/** Lines of top-level (column-0) entries, keyed by the raw key text without the trailing colon. */
function topLevelKeyLines(content: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (l && l[0] !== ' ' && l[0] !== '#' && l.endsWith(':')) out.set(l.slice(0, -1), i + 1);
  }
  return out;
}

function parseClassic(file: string, content: string): ParseResult {
  if (!/^# yarn lockfile v1/m.test(content) && !/^\S.*:\s*$/m.test(content)) {
    return { packages: [], warnings: [`${file}: not a yarn lockfile`] };
  }
  const out: Package[] = [];
  const lines = content.split('\n');
  let current: { name: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (!l || l.startsWith('#')) continue;
    if (l[0] !== ' ') {
      current = l.endsWith(':') ? { name: descriptorName(l.slice(0, -1).split(',')[0] ?? ''), line: i + 1 } : null;
      continue;
    }
    const m = /^ {2}version:? "?([^"\s]+)"?$/.exec(l);
    if (m && current) {
      out.push(pkg('npm', current.name, m[1]!, file, current.line));
      current = null;
    }
  }
  return { packages: out, warnings: [] };
}

function parseBerry(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(content, { uniqueKeys: false });
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid YAML (${errorMessage(err)})`] };
  }
  if (!isRecord(doc)) return { packages: [], warnings: [`${file}: not a yarn berry lockfile`] };
  const keyLines = topLevelKeyLines(content);
  const direct = new Set<string>();
  for (const entry of Object.values(doc)) {
    const resolution = isRecord(entry) ? str(entry.resolution) : undefined;
    if (!resolution?.includes('@workspace:') || !isRecord(entry)) continue;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      if (isRecord(entry[field])) for (const n of Object.keys(entry[field])) direct.add(n);
    }
  }
  const out: Package[] = [];
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(entry)) continue;
    const resolution = str(entry.resolution) ?? '';
    const version = str(entry.version);
    // Only registry packages; workspace:, link:, portal:, patch: (a patched copy of an npm entry) are skipped.
    const m = /^(@?[^@]+)@npm:(.+)$/.exec(resolution);
    if (!m || !version) continue;
    const name = m[1]!;
    const line = keyLines.get(key) ?? keyLines.get(`"${key}"`) ?? 1;
    out.push(pkg('npm', name, version, file, line, { direct: direct.has(name) }));
  }
  return { packages: out, warnings: [] };
}
