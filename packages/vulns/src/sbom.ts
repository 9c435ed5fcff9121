import { randomUUID } from 'node:crypto';
import type { Ecosystem, Package } from './types.js';

const PURL_TYPE: Record<Ecosystem, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'golang',
  Maven: 'maven',
  RubyGems: 'gem',
  'crates.io': 'cargo',
  Packagist: 'composer',
  NuGet: 'nuget',
};

function enc(s: string): string {
  return encodeURIComponent(s).replace(/%40/g, '@');
}

/** Package URL (https://github.com/package-url/purl-spec) for a resolved package. */
export function purlOf(p: Pick<Package, 'ecosystem' | 'name' | 'version'>): string {
  const type = PURL_TYPE[p.ecosystem];
  let namespace = '';
  let name = p.name;
  if (p.ecosystem === 'Maven') {
    const [group = '', artifact = ''] = p.name.split(':');
    namespace = group;
    name = artifact;
  } else if (p.ecosystem === 'npm' && p.name.startsWith('@')) {
    [namespace = '', name = ''] = p.name.split('/');
    namespace = namespace.replace('@', '%40');
  } else if (p.ecosystem === 'Go' || p.ecosystem === 'Packagist') {
    const slash = p.name.lastIndexOf('/');
    if (slash > 0) {
      namespace = p.name.slice(0, slash).split('/').map(enc).join('/');
      name = p.name.slice(slash + 1);
    }
  } else if (p.ecosystem === 'PyPI') {
    name = p.name.toLowerCase().replace(/[-_.]+/g, '-');
  }
  const ns = namespace ? `${namespace}/` : '';
  return `pkg:${type}/${ns}${enc(name)}@${enc(p.version)}`;
}

/** What the BOM describes. A type alias (not an interface) so callers may pass wider records, e.g. with repo_url. */
export type SbomSubject = {
  name: string;
  version?: string;
  commit?: string;
  repo_url?: string;
};

/** CycloneDX 1.5 JSON BOM of the resolved (pinned) packages, one component per distinct purl. */
export function buildCycloneDx(packages: readonly Package[], subject: SbomSubject): Record<string, unknown> {
  const components = new Map<string, Record<string, unknown>>();
  for (const p of packages) {
    if (p.unpinned) continue;
    const purl = purlOf(p);
    if (components.has(purl)) continue;
    const properties = [
      { name: 'linkops:ecosystem', value: p.ecosystem },
      { name: 'linkops:direct', value: String(p.direct) },
      { name: 'linkops:source-file', value: p.file },
    ];
    if (p.dev) properties.push({ name: 'linkops:dev', value: 'true' });
    const component: Record<string, unknown> = {
      type: 'library',
      'bom-ref': purl,
      name: p.name,
      version: p.version,
      purl,
      scope: p.dev ? 'optional' : 'required',
      properties,
    };
    if (p.ecosystem === 'Maven') {
      const [group, artifact] = p.name.split(':');
      component.group = group;
      component.name = artifact ?? p.name;
    }
    components.set(purl, component);
  }
  const root: Record<string, unknown> = {
    type: 'application',
    'bom-ref': `root:${subject.name}`,
    name: subject.name,
  };
  if (subject.version) root.version = subject.version;
  const rootProps = [
    ...(subject.commit ? [{ name: 'linkops:commit', value: subject.commit }] : []),
    ...(subject.repo_url ? [{ name: 'linkops:repo-url', value: subject.repo_url }] : []),
  ];
  if (rootProps.length) root.properties = rootProps;
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: new Date().toISOString(),
      tools: { components: [{ type: 'application', name: 'linkops-vulns', version: '1.0.0' }] },
      component: root,
    },
    components: [...components.values()],
  };
}
