import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Package, ParseResult, ReadFile } from '../types.js';
import { errorMessage, isRecord, jsonObjectKeyLines, pkg, str, takeLine } from './util.js';

/** `name[extras] <specifiers> ; markers` (PEP 508 without URL forms). */
const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(?:;.*)?$/;
const MAX_INCLUDE_DEPTH = 10;

/**
 * requirements.txt (pip): pins (`==`, `===`), ranges (reported unpinned), extras, environment markers,
 * `--hash` options, comments, line continuations, and `-r`/`--requirement` includes read through `readFile`
 * (paths relative to the including file). `-c` constraint files and editable/URL installs are skipped.
 */
export async function parseRequirementsTxt(
  file: string,
  content: string,
  readFile?: ReadFile,
  seen: Set<string> = new Set(),
): Promise<ParseResult> {
  seen.add(file);
  const packages: Package[] = [];
  const warnings: string[] = [];
  const raw = content.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let line = raw[i]!;
    while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + ' ' + raw[++i]!;
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const include = /^(?:-r|--requirement)(?:\s+|=)(\S+)/.exec(line);
    if (include) {
      const target = posix.normalize(posix.join(posix.dirname(file), include[1]!));
      if (seen.has(target) || seen.size > MAX_INCLUDE_DEPTH * 10) continue;
      const text = readFile ? await readFile(target) : null;
      if (text === null) {
        warnings.push(`${file}:${lineNo}: included requirements file ${target} could not be read`);
        continue;
      }
      const nested = await parseRequirementsTxt(target, text, readFile, seen);
      packages.push(...nested.packages);
      warnings.push(...nested.warnings);
      continue;
    }
    if (line.startsWith('-')) continue; // -e, -c, -i, --index-url, --hash-only lines, ...
    line = line.replace(/\s--hash[=\s]\S+/g, '').trim();
    if (/^(git\+|https?:|file:|\.{0,2}\/)/.test(line) || line.includes(' @ ')) continue; // URL/path installs
    const m = REQUIREMENT.exec(line);
    if (!m) {
      warnings.push(`${file}:${lineNo}: unrecognised requirement "${line.slice(0, 80)}"`);
      continue;
    }
    const name = m[1]!;
    const spec = m[2]!.replace(/\s+/g, '');
    const pin = /^={2,3}([^,*]+)$/.exec(spec);
    packages.push(pkg('PyPI', name, pin ? pin[1]! : spec || '*', file, lineNo, { direct: true, unpinned: !pin }));
  }
  return { packages, warnings };
}

/** Pipfile.lock: `default` and `develop` sections, versions written as "==x.y". */
export function parsePipfileLock(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid JSON (${errorMessage(err)})`] };
  }
  if (!isRecord(doc)) return { packages: [], warnings: [`${file}: not a Pipfile.lock`] };
  const lines = jsonObjectKeyLines(content);
  const out: Package[] = [];
  for (const section of ['default', 'develop'] as const) {
    const deps = doc[section];
    if (!isRecord(deps)) continue;
    for (const [name, entry] of Object.entries(deps)) {
      const line = takeLine(lines, name);
      const version = isRecord(entry) ? str(entry.version) : undefined;
      if (!version?.startsWith('==')) continue; // git/path entries carry no version
      out.push(pkg('PyPI', name, version.replace(/^=+/, ''), file, line, { dev: section === 'develop' }));
    }
  }
  return { packages: out, warnings: [] };
}

/** Lines of `name = "..."` directly following each `[[package]]` header, in order. */
function tomlPackageLines(content: string): number[] {
  const out: number[] = [];
  const lines = content.split('\n');
  let inPackage = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('[')) inPackage = l.trim() === '[[package]]';
    else if (inPackage && /^name\s*=/.test(l)) {
      out.push(i + 1);
      inPackage = false;
    }
  }
  return out;
}

function parseTomlDoc(file: string, content: string): { doc: Record<string, unknown> } | { error: string } {
  try {
    return { doc: parseToml(content) as Record<string, unknown> };
  } catch (err) {
    return { error: `${file}: not valid TOML (${errorMessage(err).split('\n')[0]})` };
  }
}

/** poetry.lock: `[[package]]` tables; `category = "dev"` (Poetry < 1.2) or `groups` without "main" mark dev deps. */
export function parsePoetryLock(file: string, content: string): ParseResult {
  const parsed = parseTomlDoc(file, content);
  if ('error' in parsed) return { packages: [], warnings: [parsed.error] };
  const list = parsed.doc.package;
  if (!Array.isArray(list)) return { packages: [], warnings: [`${file}: no [[package]] tables`] };
  const lines = tomlPackageLines(content);
  const out: Package[] = [];
  list.forEach((entry: unknown, i) => {
    if (!isRecord(entry)) return;
    const name = str(entry.name);
    const version = str(entry.version);
    if (!name || !version) return;
    const groups = Array.isArray(entry.groups) ? entry.groups : null;
    const dev = entry.category === 'dev' || (groups !== null && !groups.includes('main'));
    out.push(pkg('PyPI', name, version, file, lines[i] ?? 1, { dev }));
  });
  return { packages: out, warnings: [] };
}

/** uv.lock: `[[package]]` tables; the project itself (editable/virtual source) is skipped and its deps are direct. */
export function parseUvLock(file: string, content: string): ParseResult {
  const parsed = parseTomlDoc(file, content);
  if ('error' in parsed) return { packages: [], warnings: [parsed.error] };
  const list = parsed.doc.package;
  if (!Array.isArray(list)) return { packages: [], warnings: [`${file}: no [[package]] tables`] };
  const lines = tomlPackageLines(content);
  const isProject = (e: Record<string, unknown>): boolean =>
    isRecord(e.source) && (e.source.editable !== undefined || e.source.virtual !== undefined);
  const direct = new Set<string>();
  const devDirect = new Set<string>();
  for (const entry of list) {
    if (!isRecord(entry) || !isProject(entry)) continue;
    const names = (deps: unknown): string[] =>
      Array.isArray(deps) ? deps.flatMap((d) => (isRecord(d) && typeof d.name === 'string' ? [d.name] : [])) : [];
    for (const n of names(entry.dependencies)) direct.add(n);
    if (isRecord(entry['dev-dependencies'])) {
      for (const group of Object.values(entry['dev-dependencies'])) for (const n of names(group)) devDirect.add(n);
    }
  }
  const out: Package[] = [];
  list.forEach((entry: unknown, i) => {
    if (!isRecord(entry) || isProject(entry)) return;
    const name = str(entry.name);
    const version = str(entry.version);
    if (!name || !version) return;
    const isDirect = direct.has(name) || devDirect.has(name);
    out.push(pkg('PyPI', name, version, file, lines[i] ?? 1, { direct: isDirect, dev: !direct.has(name) && devDirect.has(name) }));
  });
  return { packages: out, warnings: [] };
}

