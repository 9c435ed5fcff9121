import { XMLParser } from 'fast-xml-parser';
import type { Package, ParseResult } from '../types.js';
import { errorMessage, isRecord, LineIndex, pkg, str } from './util.js';

interface PomDependency {
  groupId: string;
  artifactId: string;
  version?: string;
  scope?: string;
}

function asArray(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function dependencyList(container: unknown): PomDependency[] {
  if (!isRecord(container)) return [];
  return asArray(container.dependency).flatMap((d) => {
    if (!isRecord(d)) return [];
    const groupId = str(d.groupId);
    const artifactId = str(d.artifactId);
    if (!groupId || !artifactId) return [];
    const dep: PomDependency = { groupId, artifactId };
    const version = str(d.version);
    const scope = str(d.scope);
    if (version) dep.version = version.trim();
    if (scope) dep.scope = scope.trim();
    return [dep];
  });
}

/**
 * pom.xml: the project's own `<dependencies>` (direct) plus `<dependencyManagement>` pins (not direct), with
 * `${property}` references resolved from `<properties>`, `project.*`/`parent.*` values. Versions that stay
 * unresolved (inherited from a parent pom we cannot see, or ranges) are reported as unpinned.
 */
export function parsePomXml(file: string, content: string): ParseResult {
  let doc: unknown;
  try {
    doc = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true }).parse(content, true);
  } catch (err) {
    return { packages: [], warnings: [`${file}: not valid XML (${errorMessage(err).split('\n')[0]})`] };
  }
  const project = isRecord(doc) ? doc.project : undefined;
  if (!isRecord(project)) return { packages: [], warnings: [`${file}: no <project> element`] };

  const props = new Map<string, string>();
  const parent = isRecord(project.parent) ? project.parent : {};
  for (const [k, v] of Object.entries({
    'project.version': project.version ?? parent.version,
    'project.groupId': project.groupId ?? parent.groupId,
    'project.artifactId': project.artifactId,
    'project.parent.version': parent.version,
    'parent.version': parent.version,
    version: project.version ?? parent.version,
  })) {
    const s = str(v);
    if (s) props.set(k, s);
  }
  if (isRecord(project.properties)) {
    for (const [k, v] of Object.entries(project.properties)) {
      const s = str(v);
      if (s !== undefined) props.set(k, s);
    }
  }
  const resolve = (value: string): string => {
    let out = value;
    for (let i = 0; i < 10 && out.includes('${'); i++) out = out.replace(/\$\{([^}]+)\}/g, (m, k: string) => props.get(k) ?? m);
    return out;
  };

  const index = new LineIndex(content);
  const lineOf = (artifactId: string, from: number): number => {
    const at = content.indexOf(`<artifactId>${artifactId}</artifactId>`, from);
    return at < 0 ? 1 : index.lineAt(at);
  };

  const managed = dependencyList(isRecord(project.dependencyManagement) ? project.dependencyManagement.dependencies : undefined);
  const direct = dependencyList(project.dependencies);
  const managedVersion = new Map(managed.map((d) => [`${d.groupId}:${d.artifactId}`, d.version]));
  const warnings: string[] = [];
  const packages: Package[] = [];
  const seen = new Set<string>();
  const directStart = Math.max(content.lastIndexOf('</dependencyManagement>'), 0);
  const emit = (d: PomDependency, isDirect: boolean): void => {
    const groupId = resolve(d.groupId);
    const artifactId = resolve(d.artifactId);
    const name = `${groupId}:${artifactId}`;
    const raw = d.version ?? (isDirect ? managedVersion.get(`${d.groupId}:${d.artifactId}`) : undefined);
    const version = raw ? resolve(raw) : '';
    const key = `${name}@${version}`;
    if (seen.has(key)) return;
    seen.add(key);
    // A bare version is Maven's "soft" requirement, i.e. exactly that version unless overridden.
    const unpinned = !version || version.includes('${') || /[[\](),]/.test(version);
    if (version.includes('${')) warnings.push(`${file}: ${name} version ${version} references an undefined property`);
    packages.push(
      pkg('Maven', name, version || '*', file, lineOf(d.artifactId, isDirect ? directStart : 0), {
        direct: isDirect,
        dev: d.scope === 'test',
        unpinned,
      }),
    );
  };
  for (const d of direct) emit(d, true);
  for (const d of managed) if (d.scope !== 'import') emit(d, false);
  return { packages, warnings };
}

/** gradle.lockfile: `group:artifact:version=configurations`; deps only on test classpaths are dev. */
export function parseGradleLockfile(file: string, content: string): ParseResult {
  const packages: Package[] = [];
  const warnings: string[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('empty=')) return;
    const m = /^([^:=\s]+):([^:=\s]+):([^:=\s]+)=(.*)$/.exec(line);
    if (!m) {
      warnings.push(`${file}:${i + 1}: malformed lockfile line`);
      return;
    }
    const configurations = m[4]!.split(',').filter(Boolean);
    const dev = configurations.length > 0 && configurations.every((c) => /^test/i.test(c));
    packages.push(pkg('Maven', `${m[1]}:${m[2]}`, m[3]!, file, i + 1, { dev }));
  });
  return { packages, warnings };
}
