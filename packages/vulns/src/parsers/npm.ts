import semver from 'semver';
import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, jsonObjectKeyLines, LineIndex, pkg, str, takeLine } from './util.js';

const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (nested `dependencies`), 2 and 3 (flat `packages`). */
export function parsePackageLock(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid JSON (${errorMessage(err)})`] };
  }
  if (!isRecord(doc)) return { packages: [], warnings: [`${file}: not an npm lockfile`] };
  const lines = jsonObjectKeyLines(content);
  if (isRecord(doc.packages)) return { packages: fromPackagesMap(file, doc.packages, lines), warnings: [] };
  if (isRecord(doc.dependencies)) return { packages: fromV1(file, doc.dependencies, lines), warnings: [] };
  return { packages: [], warnings: [`${file}: no "packages" or "dependencies" section`] };
}

function fromPackagesMap(file: string, packages: Record<string, unknown>, lines: Map<string, number[]>): Package[] {
  const root = isRecord(packages['']) ? packages[''] : {};
  const rootDeps = new Set<string>();
  for (const field of DEP_FIELDS) if (isRecord(root[field])) for (const n of Object.keys(root[field])) rootDeps.add(n);
  const out: Package[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    // "" is the project itself; paths without node_modules/ are workspace folders, and links point at them.
    if (path === '' || !isRecord(entry) || entry.link === true || !path.includes('node_modules/')) continue;
    const version = str(entry.version);
    if (!version) continue;
    const name = str(entry.name) ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const topLevel = path === `node_modules/${name}`;
    out.push(
      pkg('npm', name, version, file, takeLine(lines, path), {
        direct: topLevel && rootDeps.has(name),
        dev: entry.dev === true,
      }),
    );
  }
  return out;
}

function fromV1(file: string, deps: Record<string, unknown>, lines: Map<string, number[]>): Package[] {
  // v1 has no record of the root manifest: a top-level entry nobody else requires was asked for directly.
  const required = new Set<string>();
  const collectRequires = (d: Record<string, unknown>): void => {
    for (const entry of Object.values(d)) {
      if (!isRecord(entry)) continue;
      if (isRecord(entry.requires)) for (const n of Object.keys(entry.requires)) required.add(n);
      if (isRecord(entry.dependencies)) collectRequires(entry.dependencies);
    }
  };
  collectRequires(deps);
  const out: Package[] = [];
  const walk = (d: Record<string, unknown>, depth: number): void => {
    for (const [name, entry] of Object.entries(d)) {
      const line = takeLine(lines, name);
      if (!isRecord(entry)) continue;
      let version = str(entry.version);
      // Aliases are recorded as "npm:real-name@1.2.3".
      let realName = name;
      const alias = version ? /^npm:(@?[^@]+)@(.+)$/.exec(version) : null;
      if (alias) [, realName = name, version] = alias;
      if (version && semver.valid(version, { loose: true })) {
        out.push(pkg('npm', realName, version, file, line, { direct: depth === 0 && !required.has(name), dev: entry.dev === true }));
      }
      if (isRecord(entry.dependencies)) walk(entry.dependencies, depth + 1);
    }
  };
  walk(deps, 0);
  return out;
}

/** package.json: declared ranges only. Exact versions are matchable; anything else is reported as unpinned. */
export function parsePackageJson(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid JSON (${errorMessage(err)})`] };
  }
  if (!isRecord(doc)) return { packages: [], warnings: [`${file}: not a package.json object`] };
  const index = new LineIndex(content);
  const out: Package[] = [];
  for (const field of DEP_FIELDS) {
    const deps = doc[field];
    if (!isRecord(deps)) continue;
    const fieldAt = content.indexOf(`"${field}"`);
    for (const [name, spec] of Object.entries(deps)) {
      const range = str(spec);
      if (range === undefined) continue;
      const at = content.indexOf(JSON.stringify(name), Math.max(fieldAt, 0));
      const exact = semver.valid(range);
      out.push(
        pkg('npm', name, exact ?? range, file, at >= 0 ? index.lineAt(at) : 1, {
          direct: true,
          dev: field === 'devDependencies',
          unpinned: !exact,
        }),
      );
    }
  }
  return { packages: out, warnings: [] };
}
