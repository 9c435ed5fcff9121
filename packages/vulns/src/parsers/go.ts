import type { Package, ParseResult } from '../types.js';
import { compareGo } from '../versions/semver-like.js';
import { pkg } from './util.js';

/**
 * go.mod: `require` lines and blocks (`// indirect` marks transitive deps) with `replace` directives applied
 * (a replacement with a version substitutes module and version; local-path replacements drop the module).
 */
export function parseGoMod(file: string, content: string): ParseResult {
  const requires: { name: string; version: string; indirect: boolean; line: number }[] = [];
  const replaces = new Map<string, { name: string; version: string } | null>();
  const warnings: string[] = [];
  let block: 'require' | 'replace' | 'other' | null = null;
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const rawLine = lines[i]!;
    const indirect = /\/\/\s*indirect\b/.test(rawLine);
    const line = rawLine.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (block) {
      if (line === ')') block = null;
      else if (block === 'require') addRequire(line, i + 1, indirect);
      else if (block === 'replace') addReplace(line);
      continue;
    }
    const m = /^(require|replace|exclude|retract|tool|godebug|ignore)\s*(\(?)\s*(.*)$/.exec(line);
    if (!m) {
      if (!/^(module|go|toolchain)\s/.test(line)) warnings.push(`${file}:${i + 1}: unrecognised directive "${line.slice(0, 60)}"`);
      continue;
    }
    const kind = m[1] === 'require' ? 'require' : m[1] === 'replace' ? 'replace' : 'other';
    if (m[2] === '(') block = kind;
    else if (kind === 'require') addRequire(m[3]!, i + 1, indirect);
    else if (kind === 'replace') addReplace(m[3]!);
  }

  function addRequire(text: string, line: number, indirect: boolean): void {
    const [name, version] = text.split(/\s+/);
    if (name && version) requires.push({ name: unquote(name), version, indirect, line });
  }
  function addReplace(text: string): void {
    const [left = '', right = ''] = text.split('=>').map((s) => s.trim());
    const [oldName = ''] = left.split(/\s+/);
    const [newName = '', newVersion] = right.split(/\s+/);
    replaces.set(unquote(oldName), newVersion ? { name: unquote(newName), version: newVersion } : null);
  }

  const packages: Package[] = [];
  for (const r of requires) {
    let name = r.name;
    let version = r.version;
    if (replaces.has(name)) {
      const rep = replaces.get(name);
      if (!rep) continue; // replaced by a local directory: not a published module version
      ({ name, version } = rep);
    }
    packages.push(pkg('Go', name, version, file, r.line, { direct: !r.indirect }));
  }
  return { packages, warnings };
}

function unquote(s: string): string {
  return s.replace(/^"|"$/g, '');
}

/**
 * go.sum: every module version the build graph touched. Minimal version selection keeps the highest one, so
 * that is reported (all transitive). Used to add modules an old (pre-1.17) go.mod does not list.
 */
export function parseGoSum(file: string, content: string): ParseResult {
  const best = new Map<string, { version: string; line: number }>();
  const lines = content.split(/\r?\n/);
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    const [name, rawVersion, hash] = l.split(/\s+/);
    if (!name || !rawVersion || !hash?.startsWith('h1:')) {
      warnings.push(`${file}:${i + 1}: malformed go.sum line`);
      continue;
    }
    const version = rawVersion.replace(/\/go\.mod$/, '');
    const prev = best.get(name);
    if (!prev || compareGo(version, prev.version) > 0) best.set(name, { version, line: i + 1 });
  }
  const packages = [...best].map(([name, v]) => pkg('Go', name, v.version, file, v.line));
  return { packages, warnings: packages.length === 0 && lines.some((l) => l.trim()) ? warnings : warnings.slice(0, 20) };
}
