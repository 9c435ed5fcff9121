import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { isOsvAdvisory, type OsvAdvisory } from './osv.js';
import { isEcosystem, type Ecosystem, type Package } from './types.js';
import { normalizePackageName } from './versions/index.js';

/** The OSV snapshot shipped with the package: packages/vulns/db/osv/<Ecosystem>/<ID>.json. */
export const DEFAULT_OSV_DB_DIR: string = fileURLToPath(new URL('../db/osv', import.meta.url));

/** `OSV_DB_DIR` when set, else the shipped snapshot. */
export function resolveOsvDbDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OSV_DB_DIR && env.OSV_DB_DIR.trim() ? env.OSV_DB_DIR : DEFAULT_OSV_DB_DIR;
}

export interface DatabaseDescription {
  /** Where the advisories came from (directory, zip path(s) or API URL). */
  source: string;
  /** Newest `modified` timestamp among the advisories: how fresh the snapshot is. Null when empty. */
  snapshot: string | null;
  advisory_count: number;
}

/** Base ecosystem of an OSV `affected.package.ecosystem` ("Debian:11" -> "Debian"). */
function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? ecosystem : ecosystem.slice(0, colon);
}

function indexKey(ecosystem: Ecosystem, name: string): string {
  return `${ecosystem}\u0000${normalizePackageName(ecosystem, name)}`;
}

/** OSV advisories indexed by (ecosystem, normalized package name), the way osv-scanner's local database works. */
export class AdvisoryDatabase {
  private readonly byId = new Map<string, OsvAdvisory>();
  private readonly byPackage = new Map<string, Set<string>>();
  private readonly sources: string[] = [];
  /** Non-fatal load problems (unreadable or non-OSV files). */
  readonly warnings: string[] = [];

  constructor(source?: string) {
    if (source) this.sources.push(source);
  }

  addSource(source: string): void {
    if (!this.sources.includes(source)) this.sources.push(source);
  }

  /** Adds (or replaces, when the id is already known and this record is not older) one advisory. */
  add(advisory: OsvAdvisory): void {
    const existing = this.byId.get(advisory.id);
    if (existing && existing.modified > advisory.modified) return;
    this.byId.set(advisory.id, advisory);
    for (const affected of advisory.affected ?? []) {
      const eco = affected.package ? baseEcosystem(affected.package.ecosystem) : '';
      if (!affected.package || !isEcosystem(eco)) continue;
      const key = indexKey(eco, affected.package.name);
      let ids = this.byPackage.get(key);
      if (!ids) this.byPackage.set(key, (ids = new Set()));
      ids.add(advisory.id);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): OsvAdvisory | undefined {
    return this.byId.get(id);
  }

  /** Every advisory naming this package (matching of versions is done by the caller). */
  advisoriesFor(ecosystem: Ecosystem, name: string): OsvAdvisory[] {
    const ids = this.byPackage.get(indexKey(ecosystem, name));
    return ids ? [...ids].flatMap((id) => this.byId.get(id) ?? []) : [];
  }

  advisories(): IterableIterator<OsvAdvisory> {
    return this.byId.values();
  }

  describe(): DatabaseDescription {
    let snapshot: string | null = null;
    for (const a of this.byId.values()) if (a.modified && (snapshot === null || a.modified > snapshot)) snapshot = a.modified;
    return { source: this.sources.join(', ') || 'memory', snapshot, advisory_count: this.byId.size };
  }
}

function addJson(db: AdvisoryDatabase, text: string, origin: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    db.warnings.push(`${origin}: not valid JSON, skipped`);
    return;
  }
  if (isOsvAdvisory(value)) db.add(value);
  else db.warnings.push(`${origin}: not an OSV advisory, skipped`);
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** Loads every `*.json` OSV record under `dir` (recursively, e.g. db/osv/<Ecosystem>/<ID>.json). */
export async function loadOsvDirectory(dir: string = resolveOsvDbDir(), db = new AdvisoryDatabase()): Promise<AdvisoryDatabase> {
  db.addSource(dir);
  let files: string[];
  try {
    files = await listJsonFiles(dir);
  } catch (err) {
    db.warnings.push(`${dir}: cannot read advisory directory (${(err as Error).message})`);
    return db;
  }
  // Bounded parallel reads: thousands of small files, few cores.
  const BATCH = 64;
  for (let i = 0; i < files.length; i += BATCH) {
    const chunk = files.slice(i, i + BATCH);
    const texts = await Promise.all(chunk.map((f) => readFile(f, 'utf8').catch(() => null)));
    texts.forEach((text, j) => {
      if (text === null) db.warnings.push(`${chunk[j]}: unreadable, skipped`);
      else addJson(db, text, chunk[j]!);
    });
  }
  return db;
}

/** Loads an OSV ecosystem archive (`<eco>/all.zip` from osv-vulnerabilities.storage.googleapis.com). */
export async function loadOsvZip(path: string, db = new AdvisoryDatabase()): Promise<AdvisoryDatabase> {
  db.addSource(path);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(await readFile(path)), { filter: (f) => f.name.endsWith('.json') });
  } catch (err) {
    db.warnings.push(`${path}: not a readable zip archive (${(err as Error).message})`);
    return db;
  }
  const decoder = new TextDecoder();
  for (const [name, bytes] of Object.entries(entries)) addJson(db, decoder.decode(bytes), `${path}!${name}`);
  return db;
}

export interface OsvApiClientOptions {
  /** Defaults to https://api.osv.dev. */
  baseUrl?: string;
  /** Responses are cached here (one file per request body hash / advisory id); no cache when omitted. */
  cacheDir?: string;
  fetch?: typeof globalThis.fetch;
}

interface QueryBatchResponse {
  results?: { vulns?: { id: string; modified?: string }[] }[];
}

/** Client for the OSV API (`POST /v1/querybatch`, `GET /v1/vulns/{id}`) with an on-disk response cache. */
export class OsvApiClient {
  readonly baseUrl: string;
  private readonly cacheDir: string | undefined;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(options: OsvApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://api.osv.dev').replace(/\/+$/, '');
    this.cacheDir = options.cacheDir;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.cacheDir) return load();
    const file = join(this.cacheDir, `${createHash('sha256').update(`${this.baseUrl}\n${key}`).digest('hex')}.json`);
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch {
      const value = await load();
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(value));
      return value;
    }
  }

  private async request(path: string, init?: RequestInit): Promise<unknown> {
    const res = await this.fetchImpl(`${this.baseUrl}${path}`, init);
    if (!res.ok) throw new Error(`OSV API ${path} answered HTTP ${res.status}`);
    return res.json();
  }

  /** Advisory ids affecting each package (same order as the input), 1000 queries per request as the API allows. */
  async queryBatch(packages: readonly Pick<Package, 'ecosystem' | 'name' | 'version'>[]): Promise<string[][]> {
    const out: string[][] = [];
    for (let i = 0; i < packages.length; i += 1000) {
      const queries = packages.slice(i, i + 1000).map((p) => ({ package: { ecosystem: p.ecosystem, name: p.name }, version: p.version }));
      const body = JSON.stringify({ queries });
      const response = (await this.cached(`querybatch\n${body}`, () =>
        this.request('/v1/querybatch', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      )) as QueryBatchResponse;
      queries.forEach((_, j) => out.push((response.results?.[j]?.vulns ?? []).map((v) => v.id)));
    }
    return out;
  }

  async getAdvisory(id: string): Promise<OsvAdvisory> {
    const value = await this.cached(`vuln\n${id}`, () => this.request(`/v1/vulns/${encodeURIComponent(id)}`));
    if (!isOsvAdvisory(value)) throw new Error(`OSV API returned a non-OSV record for ${id}`);
    return value;
  }

  /** Queries the API for these packages and loads every advisory it names into `db` (a fresh one by default). */
  async populate(packages: readonly Pick<Package, 'ecosystem' | 'name' | 'version'>[], db = new AdvisoryDatabase()): Promise<AdvisoryDatabase> {
    db.addSource(this.baseUrl);
    const ids = new Set((await this.queryBatch(packages)).flat());
    for (const id of ids) if (!db.get(id)) db.add(await this.getAdvisory(id));
    return db;
  }
}
