/** The per-service model every generator works from, derived once from the audit report. */

export interface EnvVarModel {
  name: string;
  /** Literal value carried over from compose; null when unknown (the report keeps names only). */
  value: string | null;
  secret: boolean;
}

export interface ExternalEndpoint {
  /** Key under `external:` in values.yaml, e.g. postgres or db. */
  name: string;
  host: string;
  port: number | null;
}

export interface AppModel {
  /** DNS-1123 label used for charts, releases and images. */
  name: string;
  /** Name as the audit report spells it. */
  reportName: string;
  /** Source directory relative to the repository root ('.' for the root). */
  path: string;
  runtime: string | null;
  frameworks: string[];
  entrypoint: string | null;
  ports: number[];
  healthPath: string | null;
  env: EnvVarModel[];
  external: ExternalEndpoint[];
  dependsOn: string[];
  imageRepository: string;
  imageTag: string;
  /** Dockerfile path relative to the repository root (existing or generated). */
  dockerfile: string;
  /** Build context relative to the repository root. */
  context: string;
  /** Secret holding the secret env vars; the operator creates it. */
  secretName: string;
}

export interface GenerationContext {
  registry: string;
  environments: string[];
  layout: 'helm' | 'kustomize';
  repoURL: string;
  targetRevision: string;
  /** Argo CD project name and namespace prefix. */
  project: string;
  /** Branch the CI workflow builds from and commits tag bumps to. */
  branch: string;
}

export function namespaceFor(ctx: GenerationContext, env: string): string {
  return `${ctx.project}-${env}`;
}

/** Join repository-relative path parts, treating '.' and '' as the root. */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/** Lower-case DNS-1123 label of at most `max` characters ('app' when nothing usable is left). */
export function dnsLabel(raw: string, max = 40): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return cleaned || 'app';
}
