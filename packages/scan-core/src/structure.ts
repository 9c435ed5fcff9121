import path from 'node:path';
import type { ServiceInfo } from '@linkops/shared/contracts';
import { parseDockerfile, type ParsedDockerfile } from './dockerfile.js';
import {
  buildRepoIndex,
  containersOf,
  isIgnoredPath,
  mentions,
  parseYamlDocuments,
  type ReadFileFn,
  type RepoIndex,
} from './repo-index.js';
import { languageOf, languageShares, type WalkedFile } from './walk.js';

export interface ServiceEdge {
  from: string;
  to: string;
  via: string;
}

export interface StructureReport {
  services: ServiceInfo[];
  edges: ServiceEdge[];
}

export interface DetectServicesOptions {
  /** File sizes from the walk, for language shares without reading every file. */
  sizes?: ReadonlyMap<string, number>;
  /** A prebuilt index (auditRepository shares one with the compliance checks). */
  index?: RepoIndex;
}

const MANIFEST_RUNTIME: Array<[RegExp, string]> = [
  [/^package\.json$/, 'node'],
  [/^(pyproject\.toml|requirements\.txt|setup\.py|Pipfile)$/, 'python'],
  [/^go\.mod$/, 'go'],
  [/^(pom\.xml|build\.gradle|build\.gradle\.kts)$/, 'java'],
  [/^Cargo\.toml$/, 'rust'],
  [/^composer\.json$/, 'php'],
  [/^Gemfile$/, 'ruby'],
  [/\.csproj$/, 'dotnet'],
];

function manifestRuntime(file: string): string | null {
  const base = path.posix.basename(file);
  return MANIFEST_RUNTIME.find(([re]) => re.test(base))?.[1] ?? null;
}

function isServiceMarker(file: string): boolean {
  const base = path.posix.basename(file);
  return base === 'Dockerfile' || manifestRuntime(file) !== null;
}

const IMAGE_RUNTIME: Array<[RegExp, string]> = [
  [/^(node|.*\/node)(:|$)/, 'node'],
  [/^(python|.*\/python)(:|$)/, 'python'],
  [/^(golang|.*\/golang)(:|$)/, 'go'],
  [/(openjdk|eclipse-temurin|amazoncorretto|maven|gradle)/, 'java'],
  [/^(ruby|.*\/ruby)(:|$)/, 'ruby'],
  [/^(php|.*\/php)(:|$)/, 'php'],
  [/dotnet/, 'dotnet'],
  [/^(rust|.*\/rust)(:|$)/, 'rust'],
];

const LANGUAGE_RUNTIME: Record<string, string> = {
  JavaScript: 'node', TypeScript: 'node', Python: 'python', Go: 'go', Java: 'java', Kotlin: 'java',
  Ruby: 'ruby', PHP: 'php', 'C#': 'dotnet', Rust: 'rust',
};

/** Backing services recognized by image name (compose) or URL scheme (environment). */
const INFRA_IMAGES: Array<[RegExp, string]> = [
  [/(^|\/)(postgres|postgis|timescaledb)[^/]*(:|$)/, 'postgres'],
  [/(^|\/)(redis|valkey|keydb)[^/]*(:|$)/, 'redis'],
  [/(^|\/)(mysql|mariadb)[^/]*(:|$)/, 'mysql'],
  [/(^|\/)mongo[^/]*(:|$)/, 'mongo'],
  [/(^|\/)(cp-kafka|kafka|redpanda)[^/]*(:|$)/, 'kafka'],
  [/(^|\/)rabbitmq[^/]*(:|$)/, 'rabbitmq'],
  [/(^|\/)(elasticsearch|opensearch)[^/]*(:|$)/, 'elasticsearch'],
  [/(^|\/)memcached[^/]*(:|$)/, 'memcached'],
  [/(^|\/)(nats)[^/]*(:|$)/, 'nats'],
  [/(^|\/)minio[^/]*(:|$)/, 'minio'],
  [/(^|\/)(zookeeper|cp-zookeeper)[^/]*(:|$)/, 'zookeeper'],
];

function infraOfImage(image: string): string | null {
  const name = image.toLowerCase().split('@')[0]!;
  return INFRA_IMAGES.find(([re]) => re.test(name))?.[1] ?? null;
}

const URL_SCHEME_INFRA: Record<string, string> = {
  postgres: 'postgres', postgresql: 'postgres', redis: 'redis', rediss: 'redis', mysql: 'mysql',
  mariadb: 'mysql', mongodb: 'mongo', 'mongodb+srv': 'mongo', amqp: 'rabbitmq', amqps: 'rabbitmq',
  kafka: 'kafka', nats: 'nats', memcached: 'memcached',
};

/** Dependency names that imply a backing service. */
const DEPENDENCY_INFRA: Array<[RegExp, string]> = [
  [/^(pg|postgres|pg-promise|psycopg2?(-binary)?|asyncpg|github\.com\/lib\/pq|github\.com\/jackc\/pgx.*|org\.postgresql:postgresql)$/, 'postgres'],
  [/^(redis|ioredis|bullmq|bull|redis-py|github\.com\/(go-redis|redis)\/.*|jedis|lettuce-core)$/, 'redis'],
  [/^(mysql|mysql2|pymysql|mysqlclient|mysql-connector-python|github\.com\/go-sql-driver\/mysql)$/, 'mysql'],
  [/^(mongodb|mongoose|pymongo|motor|go\.mongodb\.org\/mongo-driver)$/, 'mongo'],
  [/^(kafkajs|kafka-python|confluent-kafka|node-rdkafka|github\.com\/(segmentio\/kafka-go|IBM\/sarama|Shopify\/sarama))$/, 'kafka'],
  [/^(amqplib|pika|aio-pika|kombu|github\.com\/(streadway|rabbitmq)\/amqp.*)$/, 'rabbitmq'],
  [/^(@elastic\/elasticsearch|elasticsearch|elasticsearch-py|github\.com\/elastic\/go-elasticsearch.*)$/, 'elasticsearch'],
];

function infraOfDependency(dep: string): string | null {
  return DEPENDENCY_INFRA.find(([re]) => re.test(dep))?.[1] ?? null;
}

const FRAMEWORK_DEPS: Array<[RegExp, string]> = [
  [/^express$/, 'express'], [/^fastify$/, 'fastify'], [/^@nestjs\/core$/, 'nest'], [/^next$/, 'next'], [/^koa$/, 'koa'],
  [/^flask$/i, 'flask'], [/^django$/i, 'django'], [/^fastapi$/i, 'fastapi'],
  [/spring-boot|springframework/, 'spring'],
  [/^github\.com\/gin-gonic\/gin$/, 'gin'], [/^github\.com\/labstack\/echo/, 'echo'], [/^github\.com\/gofiber\/fiber/, 'fiber'],
  [/^rails$/, 'rails'], [/^sinatra$/, 'sinatra'],
  [/^laravel\/framework$/, 'laravel'], [/^symfony\//, 'symfony'],
  [/^Microsoft\.AspNetCore/, 'aspnet'],
];

/** Source-level hints, for code that imports a framework without a manifest naming it. */
const FRAMEWORK_IMPORTS: Array<[RegExp, string]> = [
  [/require\(\s*['"]express['"]\s*\)|from\s+['"]express['"]/, 'express'],
  [/require\(\s*['"]fastify['"]\s*\)|from\s+['"]fastify['"]/, 'fastify'],
  [/from\s+['"]@nestjs\/core['"]/, 'nest'],
  [/require\(\s*['"]koa['"]\s*\)|from\s+['"]koa['"]/, 'koa'],
  [/^\s*from\s+flask\s+import\b|^\s*import\s+flask\b/m, 'flask'],
  [/^\s*from\s+django\b|^\s*import\s+django\b/m, 'django'],
  [/^\s*from\s+fastapi\s+import\b|^\s*import\s+fastapi\b/m, 'fastapi'],
  [/"github\.com\/gin-gonic\/gin"/, 'gin'],
  [/"github\.com\/labstack\/echo/, 'echo'],
  [/"github\.com\/gofiber\/fiber/, 'fiber'],
  [/^\s*require\s+['"]sinatra['"]/m, 'sinatra'],
  [/@SpringBootApplication/, 'spring'],
];

const SOURCE_EXT = /\.(js|mjs|cjs|ts|mts|jsx|tsx|py|go|rb|php|java|kt|cs|rs)$/;
// Entry points and routes live near the top of a service: a bounded sample keeps big repos fast.
const MAX_SOURCE_FILES_PER_SERVICE = 80;
const MAX_SOURCE_BYTES = 256 * 1024;

// Every pattern below is linear (no nested quantifiers); a test runs them through recheck.
export const PORT_PATTERNS: RegExp[] = [
  /process\.env\.PORT\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})/g,
  /\.listen\(\s*['"]?(\d{2,5})\b/g,
  /environ\.get\(\s*['"]PORT['"]\s*,\s*['"]?(\d{2,5})/g,
  /getenv\(\s*['"]PORT['"]\s*,\s*['"]?(\d{2,5})/g,
  /ListenAndServe(?:TLS)?\(\s*"[^":\n]{0,100}:(\d{2,5})"/g,
  /\.(?:Run|Listen|Start)\(\s*"[^":\n]{0,100}:(\d{2,5})"/g,
  /^server\.port\s*[=:]\s*(\d{2,5})/gm,
];
/** app.run(..., port=5000) / uvicorn.run(...): the call's arguments first, then the keyword in them. */
export const PORT_CALL_ARGS = /\b(?:app|uvicorn|web)\.run(?:_app)?\(([^)\n]{0,300})/g;
export const PORT_KEYWORD = /\bport\s*=\s*(\d{2,5})/;
export const HEALTH_ROUTE = /['"`](\/(?:api\/)?(?:healthz|health|readyz|ready|readiness|livez|liveness|live|ping|status)(?:\/[A-Za-z0-9_-]{1,40})?)['"`]/g;
export const ENV_NAME_PATTERNS: RegExp[] = [
  /process\.env\.([A-Z][A-Z0-9_]{1,80})/g,
  /process\.env\[\s*['"]([A-Z][A-Z0-9_]{1,80})['"]\s*\]/g,
  /os\.environ(?:\.get)?[[(]\s*['"]([A-Z][A-Z0-9_]{1,80})['"]/g,
  /os\.getenv\(\s*['"]([A-Z][A-Z0-9_]{1,80})['"]/g,
  /os\.Getenv\(\s*"([A-Z][A-Z0-9_]{1,80})"/g,
  /ENV\[\s*['"]([A-Z][A-Z0-9_]{1,80})['"]\s*\]/g,
  /System\.getenv\(\s*"([A-Z][A-Z0-9_]{1,80})"/g,
];

interface Draft {
  info: ServiceInfo;
  /** Directory of the service (null for image-only compose services). */
  dir: string | null;
  dockerfile: ParsedDockerfile | null;
  dependencies: string[];
}

function emptyService(name: string, dir: string | null): ServiceInfo {
  return {
    name,
    path: dir,
    languages: [],
    runtime: null,
    frameworks: [],
    entrypoint: null,
    ports: [],
    infrastructure: [],
    depends_on: [],
    env: [],
    image: null,
    health_path: null,
    assets: { dockerfile: null, compose: [], kubernetes: [], helm: [], kustomize: [], gitops: [], ci: [] },
    notes: [],
  };
}

const uniqueSorted = <T extends string | number>(xs: Iterable<T>): T[] =>
  [...new Set(xs)].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));

const inDir = (dir: string, p: string) => dir === '.' || p.startsWith(`${dir}/`);
const join = (dir: string, rel: string) => (dir === '.' ? rel : `${dir}/${rel}`);

/** DNS-label-like service name from a directory ("services/api" -> "api"; root -> repo). */
function nameFromDir(dir: string, fallback: string): string {
  const base = dir === '.' ? fallback : path.posix.basename(dir);
  return base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app';
}

/** Dependency names of a manifest, best effort per ecosystem. */
function manifestDependencies(file: string, text: string): string[] {
  const base = path.posix.basename(file);
  const deps: string[] = [];
  try {
    if (base === 'package.json' || base === 'composer.json') {
      const pkg = JSON.parse(text) as Record<string, unknown>;
      for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'require']) {
        const section = pkg[key];
        if (section && typeof section === 'object') deps.push(...Object.keys(section));
      }
    } else if (base === 'requirements.txt') {
      for (const line of text.split(/\r?\n/)) {
        const name = /^\s*([A-Za-z0-9_.-]+)/.exec(line.split('#')[0]!)?.[1];
        if (name) deps.push(name.toLowerCase());
      }
    } else if (base === 'pyproject.toml' || base === 'setup.py' || base === 'Pipfile') {
      for (const m of text.matchAll(/["']?([A-Za-z][A-Za-z0-9_.-]{1,60})\s*(?:[<>=~!^]|["'],?\s*$|\s*=\s*["'{])/gm)) deps.push(m[1]!.toLowerCase());
    } else if (base === 'go.mod') {
      for (const m of text.matchAll(/^\s*(?:require\s+)?([a-z0-9.-]+\.[a-z]{2,}\/[^\s]+)\s+v/gm)) deps.push(m[1]!);
    } else if (base === 'pom.xml') {
      for (const m of text.matchAll(/<groupId>([^<]{1,200})<\/groupId>\s*<artifactId>([^<]{1,200})<\/artifactId>/g)) deps.push(`${m[1]}:${m[2]}`, m[2]!);
    } else if (base.startsWith('build.gradle')) {
      for (const m of text.matchAll(/['"]([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)(?::[^'"]*)?['"]/g)) deps.push(`${m[1]}:${m[2]}`, m[2]!);
    } else if (base === 'Gemfile') {
      for (const m of text.matchAll(/^\s*gem\s+['"]([A-Za-z0-9_.-]+)['"]/gm)) deps.push(m[1]!);
    } else if (base === 'Cargo.toml') {
      for (const m of text.matchAll(/^([A-Za-z0-9_-]+)\s*=/gm)) deps.push(m[1]!);
    } else if (base.endsWith('.csproj')) {
      for (const m of text.matchAll(/(?:Include|Sdk)="([A-Za-z0-9_.-]+)"/g)) deps.push(m[1]!);
    }
  } catch {
    /* a manifest that does not parse contributes nothing */
  }
  return deps;
}

function composePort(entry: unknown): number | null {
  if (typeof entry === 'number') return Number.isInteger(entry) ? entry : null;
  if (typeof entry === 'string') {
    const withoutProto = entry.split('/')[0]!;
    const last = withoutProto.split(':').pop() ?? '';
    const port = Number(last);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  }
  if (entry && typeof entry === 'object') {
    const target = Number((entry as Record<string, unknown>).target);
    return Number.isInteger(target) && target > 0 ? target : null;
  }
  return null;
}

/** Compose `environment` as name -> value (values stay internal: only names reach the report). */
function composeEnvironment(env: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(env)) {
    for (const item of env) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      out.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
    }
  } else if (env && typeof env === 'object') {
    for (const [k, v] of Object.entries(env)) out.set(k, v === null || v === undefined ? '' : String(v));
  }
  return out;
}

/** Host names inside URL-ish values: scheme://[user[:pw]@]host[:port] or bare host:port. */
function hostsInValue(value: string): Array<{ scheme: string | null; host: string }> {
  const out: Array<{ scheme: string | null; host: string }> = [];
  for (const m of value.matchAll(/([a-z][a-z0-9+.-]{0,20}):\/\/(?:[^@/\s]{0,200}@)?([A-Za-z0-9_.-]{1,100})/g)) out.push({ scheme: m[1]!.toLowerCase(), host: m[2]! });
  const bare = /^([A-Za-z0-9_-]{1,100}):\d{2,5}$/.exec(value);
  if (bare) out.push({ scheme: null, host: bare[1]! });
  return out;
}

async function readSafe(readFile: ReadFileFn, p: string): Promise<string> {
  return (await readFile(p).catch(() => null)) ?? '';
}

/**
 * Finds the deployable services of a repository and how they connect: one per directory with a
 * build manifest or Dockerfile (nested manifests belong to the enclosing service), merged with the
 * docker-compose services that build them; image-only compose services are listed as runtime 'image'.
 */
export async function detectServices(
  root: string,
  paths: readonly string[],
  readFile: ReadFileFn,
  opts: DetectServicesOptions = {},
): Promise<StructureReport> {
  const index = opts.index ?? (await buildRepoIndex(paths, readFile));
  const repoName = path.basename(root);

  // 1. Directory services.
  const markerDirs = uniqueSorted(paths.filter((p) => !isIgnoredPath(p) && isServiceMarker(p)).map((p) => path.posix.dirname(p)));
  const rootIsWorkspace = await isWorkspaceRoot(paths, readFile);
  const nonRoot = markerDirs.filter((d) => d !== '.');
  const rootIsService = markerDirs.includes('.') && (paths.includes('Dockerfile') || (!rootIsWorkspace && nonRoot.length === 0));
  const serviceDirs: string[] = rootIsService ? ['.'] : [];
  for (const dir of nonRoot.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))) {
    if (!serviceDirs.some((s) => s !== '.' && inDir(s, dir))) serviceDirs.push(dir);
  }
  const drafts: Draft[] = [];
  const usedNames = new Set<string>();
  const uniqueName = (base: string) => {
    let name = base;
    for (let i = 2; usedNames.has(name); i++) name = `${base}-${i}`;
    usedNames.add(name);
    return name;
  };
  for (const dir of serviceDirs) drafts.push({ info: emptyService(uniqueName(nameFromDir(dir, repoName)), dir), dir, dockerfile: null, dependencies: [] });

  // 2. Compose services, merged into the directory service their build context points at.
  const composeEnv = new Map<Draft, Map<string, string>>();
  const composeDepends = new Map<Draft, string[]>();
  for (const composeFile of index.composeFiles) {
    const docs = parseYamlDocuments(await readSafe(readFile, composeFile));
    const servicesNode = docs[0]?.services;
    if (!servicesNode || typeof servicesNode !== 'object') continue;
    const composeDir = path.posix.dirname(composeFile);
    for (const [composeName, rawDef] of Object.entries(servicesNode as Record<string, unknown>)) {
      const def = (rawDef && typeof rawDef === 'object' ? rawDef : {}) as Record<string, unknown>;
      const build = def.build;
      let context: string | null = null;
      let dockerfileName: string | null = null;
      if (typeof build === 'string') context = build;
      else if (build && typeof build === 'object') {
        const b = build as Record<string, unknown>;
        context = typeof b.context === 'string' ? b.context : '.';
        dockerfileName = typeof b.dockerfile === 'string' ? b.dockerfile : null;
      }
      let draft: Draft | undefined;
      if (context !== null) {
        const dir = path.posix.normalize(join(composeDir, context.replace(/^\.\//, '') || '.')).replace(/\/$/, '') || '.';
        if (dir.startsWith('..')) continue;
        draft = drafts.find((d) => d.dir === dir && !d.info.assets.compose.length) ?? drafts.find((d) => d.dir === dir);
        if (draft && draft.info.name !== composeName) {
          usedNames.delete(draft.info.name);
          draft.info.name = uniqueName(composeName);
        }
        if (!draft) {
          draft = { info: emptyService(uniqueName(composeName), dir), dir, dockerfile: null, dependencies: [] };
          drafts.push(draft);
        }
        if (dockerfileName) draft.info.assets.dockerfile = path.posix.normalize(join(dir, dockerfileName));
      } else {
        draft = drafts.find((d) => d.info.name === composeName && d.dir === null);
        if (!draft) {
          draft = { info: emptyService(uniqueName(composeName), null), dir: null, dockerfile: null, dependencies: [] };
          drafts.push(draft);
        }
        draft.info.runtime = 'image';
      }
      const info = draft.info;
      if (!info.assets.compose.includes(composeFile)) info.assets.compose.push(composeFile);
      if (typeof def.image === 'string') {
        info.image = def.image;
        const infra = infraOfImage(def.image);
        if (infra && context === null) info.infrastructure.push(infra);
      }
      for (const p of Array.isArray(def.ports) ? def.ports : []) {
        const port = composePort(p);
        if (port) info.ports.push(port);
      }
      for (const p of Array.isArray(def.expose) ? def.expose : []) {
        const port = composePort(p);
        if (port) info.ports.push(port);
      }
      const env = composeEnvironment(def.environment);
      const merged = composeEnv.get(draft) ?? new Map<string, string>();
      for (const [k, v] of env) merged.set(k, v);
      composeEnv.set(draft, merged);
      const deps = Array.isArray(def.depends_on) ? def.depends_on.map(String) : def.depends_on && typeof def.depends_on === 'object' ? Object.keys(def.depends_on) : [];
      composeDepends.set(draft, [...(composeDepends.get(draft) ?? []), ...deps]);
      if (def.env_file !== undefined) info.notes.push(`${composeFile}: env_file is used; its variables are not carried over`);
      for (const v of Array.isArray(def.volumes) ? def.volumes : []) {
        const source = typeof v === 'string' ? v.split(':')[0]! : v && typeof v === 'object' ? String((v as Record<string, unknown>).source ?? '') : '';
        const bind = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).type === 'bind' : /^[./~$]/.test(source);
        if (bind && source) info.notes.push(`${composeFile}: bind mount ${source} needs a ConfigMap, volume or image content instead`);
      }
      if (def.privileged === true) info.notes.push(`${composeFile}: runs privileged`);
      if (def.network_mode === 'host') info.notes.push(`${composeFile}: uses host networking`);
      if (def.extends !== undefined) info.notes.push(`${composeFile}: uses extends; inherited settings may be missing`);
    }
  }

  // 3. Per-service details from the files in its directory.
  // Each file belongs to the deepest service directory above it.
  const byDir = new Map<string, Draft>();
  for (const d of drafts) if (d.dir !== null && !byDir.has(d.dir)) byDir.set(d.dir, d);
  const ownFiles = new Map<Draft, string[]>();
  for (const p of paths) {
    let dir = path.posix.dirname(p);
    for (;;) {
      const draft = byDir.get(dir);
      if (draft) {
        if (!isIgnoredPath(dir === '.' ? p : p.slice(dir.length + 1))) {
          const list = ownFiles.get(draft) ?? [];
          list.push(p);
          ownFiles.set(draft, list);
        }
        break;
      }
      if (dir === '.') break;
      dir = path.posix.dirname(dir);
    }
  }
  for (const draft of drafts) {
    if (draft.dir === null) continue;
    await fillFromFiles(draft, ownFiles.get(draft) ?? [], readFile, opts.sizes);
  }

  // 4. Environment: names, infrastructure by URL scheme, edges by host name.
  const edges: ServiceEdge[] = [];
  const addEdge = (from: string, to: string, via: string) => {
    if (from === to) return;
    const existing = edges.find((e) => e.from === from && e.to === to);
    if (existing) {
      if (!existing.via.split(', ').includes(via)) existing.via += `, ${via}`;
    } else edges.push({ from, to, via });
  };
  const byName = new Map(drafts.map((d) => [d.info.name, d]));
  for (const draft of drafts) {
    const info = draft.info;
    for (const dep of composeDepends.get(draft) ?? []) {
      if (byName.has(dep)) {
        info.depends_on.push(dep);
        addEdge(info.name, dep, 'depends_on');
      }
    }
    for (const [name, value] of composeEnv.get(draft) ?? []) {
      info.env.push(name);
      for (const { scheme, host } of hostsInValue(value)) {
        const infra = scheme ? URL_SCHEME_INFRA[scheme] : undefined;
        if (infra) info.infrastructure.push(infra);
        if (byName.has(host)) {
          info.depends_on.push(host);
          addEdge(info.name, host, `env:${name}`);
        }
      }
    }
    for (const dep of info.depends_on) {
      const target = byName.get(dep);
      if (target && target.info.runtime === 'image') info.infrastructure.push(...target.info.infrastructure);
    }
    for (const dep of draft.dependencies) {
      const infra = infraOfDependency(dep);
      if (infra) info.infrastructure.push(infra);
    }
  }

  // 5. Delivery assets that mention each service.
  await attachAssets(drafts, index, readFile);

  const services = drafts.map(({ info }) => ({
    ...info,
    frameworks: uniqueSorted(info.frameworks),
    ports: uniqueSorted(info.ports),
    infrastructure: uniqueSorted(info.infrastructure),
    depends_on: uniqueSorted(info.depends_on),
    env: uniqueSorted(info.env),
    notes: [...new Set(info.notes)],
  }));
  services.sort((a, b) => a.name.localeCompare(b.name));
  edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { services, edges };
}

async function isWorkspaceRoot(paths: readonly string[], readFile: ReadFileFn): Promise<boolean> {
  if (paths.includes('pnpm-workspace.yaml') || paths.includes('lerna.json') || paths.includes('go.work')) return true;
  if (paths.includes('package.json')) {
    const text = await readSafe(readFile, 'package.json');
    if (/"workspaces"\s*:/.test(text)) return true;
  }
  if (paths.includes('Cargo.toml') && /^\[workspace\]/m.test(await readSafe(readFile, 'Cargo.toml'))) return true;
  return false;
}

async function fillFromFiles(draft: Draft, own: string[], readFile: ReadFileFn, sizes?: ReadonlyMap<string, number>): Promise<void> {
  const info = draft.info;
  const dir = draft.dir!;
  const rel = (p: string) => (dir === '.' ? p : p.slice(dir.length + 1));
  const topLevel = own.filter((p) => !rel(p).includes('/'));

  // Languages.
  const sized: WalkedFile[] = [];
  for (const p of own) {
    const lang = languageOf(p);
    if (!lang || lang === 'Dockerfile') continue;
    const size = sizes?.get(p) ?? Buffer.byteLength(await readSafe(readFile, p));
    sized.push({ path: p, size });
  }
  info.languages = languageShares(sized);

  // Manifests: runtime, dependencies, frameworks, entrypoint.
  const manifests = own.filter((p) => manifestRuntime(p) !== null).sort((a, b) => a.split('/').length - b.split('/').length);
  for (const m of manifests) {
    const runtime = manifestRuntime(m)!;
    if (!info.runtime) info.runtime = runtime;
    const text = await readSafe(readFile, m);
    draft.dependencies.push(...manifestDependencies(m, text));
    if (path.posix.basename(m) === 'package.json' && !info.entrypoint) {
      try {
        const pkg = JSON.parse(text) as { main?: unknown; scripts?: Record<string, unknown> };
        if (typeof pkg.main === 'string') info.entrypoint = path.posix.normalize(join(path.posix.dirname(m), pkg.main));
        else if (typeof pkg.scripts?.start === 'string') info.entrypoint = pkg.scripts.start;
      } catch {
        /* unparseable package.json: no entrypoint from it */
      }
    }
    if (/\.csproj$/.test(m) && /Microsoft\.NET\.Sdk\.Web/.test(text)) info.frameworks.push('aspnet');
  }
  for (const dep of draft.dependencies) {
    const fw = FRAMEWORK_DEPS.find(([re]) => re.test(dep))?.[1];
    if (fw) info.frameworks.push(fw);
  }

  // Dockerfile.
  const dockerfilePath = info.assets.dockerfile ?? topLevel.find((p) => path.posix.basename(p) === 'Dockerfile') ?? own.find((p) => path.posix.basename(p) === 'Dockerfile') ?? null;
  if (dockerfilePath) {
    info.assets.dockerfile = dockerfilePath;
    const df = parseDockerfile(await readSafe(readFile, dockerfilePath));
    draft.dockerfile = df;
    info.ports.push(...df.exposed);
    info.env.push(...df.envNames);
    if (!info.runtime) {
      const base = df.stages[0]?.image.toLowerCase() ?? '';
      info.runtime = IMAGE_RUNTIME.find(([re]) => re.test(base))?.[1] ?? null;
    }
  }

  // Source files: ports, health routes, env names, frameworks, entrypoints.
  const likelyEntry = (p: string) => (/(^|\/)(index|main|app|server|__main__|wsgi|asgi|manage|Program|Application)\.[a-z]+$/.test(p) ? 0 : 1);
  const sources = own
    .filter((p) => SOURCE_EXT.test(p))
    .sort((a, b) => likelyEntry(a) - likelyEntry(b) || a.split('/').length - b.split('/').length || a.localeCompare(b))
    .slice(0, MAX_SOURCE_FILES_PER_SERVICE);
  const healthCandidates: string[] = [];
  let mainFile: string | null = null;
  for (const p of sources) {
    if ((sizes?.get(p) ?? 0) > MAX_SOURCE_BYTES) continue;
    const text = await readSafe(readFile, p);
    if (text.length > MAX_SOURCE_BYTES) continue;
    for (const re of PORT_PATTERNS) {
      for (const m of text.matchAll(re)) {
        const port = Number(m[1]);
        if (port > 0 && port < 65536) info.ports.push(port);
      }
    }
    for (const call of text.matchAll(PORT_CALL_ARGS)) {
      const port = Number(PORT_KEYWORD.exec(call[1]!)?.[1]);
      if (port > 0 && port < 65536) info.ports.push(port);
    }
    for (const m of text.matchAll(HEALTH_ROUTE)) healthCandidates.push(m[1]!);
    for (const re of ENV_NAME_PATTERNS) for (const m of text.matchAll(re)) info.env.push(m[1]!);
    for (const [re, fw] of FRAMEWORK_IMPORTS) if (re.test(text)) info.frameworks.push(fw);
    if (!mainFile) {
      if (/\.py$/.test(p) && (path.posix.basename(p) === '__main__.py' || /^if\s+__name__\s*==\s*['"]__main__['"]/m.test(text))) mainFile = p;
      else if (/(^|\/)main\.go$/.test(p) && /^package\s+main\b/m.test(text)) mainFile = p;
    }
  }
  const healthOrder = (h: string) => ['/healthz', '/health', '/readyz', '/ready', '/livez', '/live'].findIndex((x) => h.startsWith(x) || h.startsWith(`/api${x}`));
  const ranked = [...new Set(healthCandidates)].sort((a, b) => {
    const ra = healthOrder(a);
    const rb = healthOrder(b);
    return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb) || a.localeCompare(b);
  });
  info.health_path = ranked[0] ?? null;
  if (!info.entrypoint) info.entrypoint = mainFile ?? draft.dockerfile?.entrypoint ?? draft.dockerfile?.cmd ?? null;
  if (!info.runtime) {
    const lang = info.languages[0]?.language;
    info.runtime = lang ? (LANGUAGE_RUNTIME[lang] ?? null) : null;
  }
  if (!dockerfilePath) info.notes.push('no Dockerfile: an image build has to be added');
}

async function attachAssets(drafts: Draft[], index: RepoIndex, readFile: ReadFileFn): Promise<void> {
  const kubeTexts = new Map<string, string>();
  for (const file of index.kubeFiles) kubeTexts.set(file, await readSafe(readFile, file));
  const ciTexts = new Map<string, string>();
  for (const file of index.ciFiles) ciTexts.set(file, await readSafe(readFile, file));
  const chartTexts = new Map<string, string>();
  for (const chart of index.charts) {
    const values = await readSafe(readFile, join(chart.dir, 'values.yaml'));
    chartTexts.set(chart.dir, values);
  }

  for (const draft of drafts) {
    const info = draft.info;
    const name = info.name;
    const matchesObject = (obj: { name: string | null; doc: Record<string, unknown> }) => {
      if (obj.name === name) return true;
      const labels = (obj.doc.metadata as Record<string, unknown> | undefined)?.labels as Record<string, unknown> | undefined;
      if (labels && (labels.app === name || labels['app.kubernetes.io/name'] === name)) return true;
      return false;
    };
    for (const obj of index.kubeObjects) {
      const containerMatch = containersOf(obj).some((c) => c.name === name || (typeof c.image === 'string' && mentions(c.image.split(':')[0]!, name)));
      if (matchesObject(obj) || containerMatch) info.assets.kubernetes.push(obj.file);
    }
    for (const chart of index.charts) {
      if (chart.name === name || path.posix.basename(chart.dir) === name || mentions(chartTexts.get(chart.dir) ?? '', name)) info.assets.helm.push(chart.dir);
    }
    for (const dir of index.kustomizeDirs) {
      const owns = info.assets.kubernetes.some((f) => inDir(dir, f)) || dir.split('/').includes(name);
      if (owns) info.assets.kustomize.push(dir);
    }
    for (const obj of index.gitopsObjects) {
      const text = JSON.stringify(obj.doc);
      if (obj.name === name || mentions(text, name) || info.assets.helm.some((h) => text.includes(h)) || info.assets.kustomize.some((k) => text.includes(k))) {
        info.assets.gitops.push(obj.file);
      }
    }
    for (const [file, text] of ciTexts) {
      if ((draft.dir && draft.dir !== '.' && text.includes(draft.dir)) || mentions(text, name) || (draft.dir === '.' && drafts.length === 1)) info.assets.ci.push(file);
    }
    for (const key of ['kubernetes', 'helm', 'kustomize', 'gitops', 'ci'] as const) info.assets[key] = uniqueSorted(info.assets[key]);
  }
}
