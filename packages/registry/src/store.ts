import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { ArtifactSchema, type Artifact, type ArtifactKind } from '@linkops/shared/contracts';
import { ImmutableVersionError, InvalidArtifactError, InvalidRangeError, NotFoundError } from './errors.js';
import { assertValidFileName, assertValidId, assertValidVersion, isValidId } from './ids.js';
import { bareDigest, contentDigest, etagFor } from './etag.js';
import { writeFileAtomic } from './fsatomic.js';

/** Why and when a version was deprecated or yanked; the reason is served to agents. */
export interface VersionNotice {
  reason: string;
  at: string;
}

/** A published version as the store serves it. */
export interface StoredArtifact extends Artifact {
  published_at: string;
  deprecated: VersionNotice | null;
  yanked: VersionNotice | null;
}

/** A published version without its file content (list results, meta.json on disk). */
export type StoredSummary = Omit<StoredArtifact, 'content'>;

export interface VersionInfo {
  version: string;
  digest: string;
  etag: string;
  published_at: string;
  prerelease: boolean;
  deprecated: VersionNotice | null;
  yanked: VersionNotice | null;
}

/**
 * stable: highest non-yanked release without prerelease tag; prerelease: also considers prereleases;
 * all: the highest version whatever its state.
 */
export type Channel = 'stable' | 'prerelease' | 'all';

export interface ListQuery {
  kind?: ArtifactKind;
  platform?: string;
  category?: string;
  tag?: string;
  channel?: Channel;
  offset?: number;
  limit?: number;
}

export interface PublishResult {
  /** 'unchanged' when the same id+version+digest was already published (idempotent retry). */
  status: 'created' | 'unchanged';
  artifact: StoredArtifact;
}

export interface IndexVersionEntry {
  kind: ArtifactKind;
  version: string;
  digest: string;
  etag: string;
  created: string;
  filename: string;
  platform: string;
  category: string;
  summary: string;
  tags: string[];
  /** Relative to the logic service base URL: JSON document of this exact version. */
  urls: string[];
  deprecated: boolean;
  deprecation_reason?: string;
  yanked: boolean;
  yank_reason?: string;
}

/** The whole catalogue in one document, shaped like a Helm repository index. */
export interface RegistryIndex {
  apiVersion: 'v1';
  generated: string;
  entries: Record<string, IndexVersionEntry[]>;
}

export interface ArtifactStoreOptions {
  dir: string;
  /** URL for one version in the index; defaults to the whis_logic route /orbs/:id/versions/:version. */
  urlFor?: (kind: ArtifactKind, id: string, version: string) => string;
  now?: () => Date;
}

const NoticeSchema = z.object({ reason: z.string(), at: z.string() }).nullable();
const MetaFileSchema = ArtifactSchema.omit({ content: true }).extend({
  published_at: z.string(),
  deprecated: NoticeSchema,
  yanked: NoticeSchema,
});

const KINDS: readonly ArtifactKind[] = ['orb', 'rune'];
const kindDir = (kind: ArtifactKind) => `${kind}s`;
const META_FILE = 'meta.json';
const INDEX_FILE = 'index.json';

type VersionMap = Map<string, StoredArtifact>;

/**
 * Durable artifact store: `<dir>/orbs/<id>/<version>/{<filename>, meta.json}` plus `<dir>/index.json`.
 * The version directories are the source of truth; the index file is derived and rewritten after
 * every change. Other replicas sharing the directory call reload() when notified.
 */
export class ArtifactStore {
  readonly dir: string;
  private readonly urlFor: NonNullable<ArtifactStoreOptions['urlFor']>;
  private readonly now: () => Date;
  private byKind = new Map<ArtifactKind, Map<string, VersionMap>>();
  private loaded = false;
  /** Serialises mutations inside this process. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Problems met while loading (unreadable meta.json, stray directories). */
  warnings: string[] = [];

  constructor(opts: ArtifactStoreOptions) {
    this.dir = opts.dir;
    this.urlFor = opts.urlFor ?? ((kind, id, version) => `/${kindDir(kind)}/${id}/versions/${version}`);
    this.now = opts.now ?? (() => new Date());
  }

  /** Creates a store and loads what is already on disk. */
  static async open(opts: ArtifactStoreOptions): Promise<ArtifactStore> {
    const store = new ArtifactStore(opts);
    await store.reload();
    return store;
  }

  /**
   * Re-reads every version from disk. Call once before use and after a change notification. Queued with
   * publishes and marks: a reload that listed the directories just before a publish renamed its version
   * into place would otherwise replace the map holding that version with one that lacks it.
   */
  async reload(): Promise<void> {
    return this.exclusive(() => this.load());
  }

  private async load(): Promise<void> {
    const next = new Map<ArtifactKind, Map<string, VersionMap>>();
    const warnings: string[] = [];
    for (const kind of KINDS) {
      const ids = new Map<string, VersionMap>();
      next.set(kind, ids);
      for (const id of await listDirs(join(this.dir, kindDir(kind)))) {
        if (!isValidId(id, kind)) {
          warnings.push(`skipped ${kindDir(kind)}/${id}: not an artifact id`);
          continue;
        }
        const versions: VersionMap = new Map();
        for (const version of await listDirs(join(this.dir, kindDir(kind), id))) {
          try {
            const stored = await this.readVersion(kind, id, version);
            versions.set(version, stored);
          } catch (err) {
            warnings.push(`skipped ${kindDir(kind)}/${id}/${version}: ${(err as Error).message}`);
          }
        }
        if (versions.size) ids.set(id, versions);
      }
    }
    this.byKind = next;
    this.warnings = warnings;
    this.loaded = true;
  }

  /** Publishes one version. Idempotent for the same digest; ImmutableVersionError otherwise. */
  async publish(input: Artifact): Promise<PublishResult> {
    const parsed = ArtifactSchema.safeParse(input);
    if (!parsed.success) throw new InvalidArtifactError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const artifact = parsed.data;
    const { id, kind, version } = artifact.meta;
    assertValidId(id, kind);
    assertValidVersion(version);
    assertValidFileName(artifact.filename);
    // The smith sets the digest; an empty one is filled in so ETags and immutability still work.
    const digest = artifact.meta.digest || contentDigest(artifact.content);
    return this.exclusive(async () => {
      await this.ensureLoaded();
      const stored: StoredArtifact = {
        ...artifact,
        meta: { ...artifact.meta, digest },
        published_at: this.now().toISOString(),
        deprecated: null,
        yanked: null,
      };
      const existing = await this.readVersionIfPresent(kind, id, version);
      if (existing) return this.sameOrConflict(existing, stored);
      const target = this.versionDir(kind, id, version);
      const staging = join(this.dir, '.staging', `${process.pid}-${randomBytes(6).toString('hex')}`);
      await mkdir(staging, { recursive: true });
      try {
        await writeSynced(join(staging, artifact.filename), artifact.content);
        await writeSynced(join(staging, META_FILE), JSON.stringify(withoutContent(stored), null, 2));
        await mkdir(join(this.dir, kindDir(kind), id), { recursive: true });
        try {
          // Renaming a whole directory onto an existing, non-empty one fails: another replica won.
          await rename(staging, target);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
          const winner = await this.readVersion(kind, id, version);
          this.remember(winner);
          return this.sameOrConflict(winner, stored);
        }
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
      this.remember(stored);
      await this.writeIndex();
      return { status: 'created' as const, artifact: stored };
    });
  }

  /** Latest stable version: not yanked, non-deprecated preferred. */
  get(kind: ArtifactKind, id: string): StoredArtifact | undefined {
    assertValidId(id, kind);
    return pickLatest([...this.versionMap(kind, id).values()], 'stable');
  }

  /** Every version of an artifact, newest first. */
  versions(kind: ArtifactKind, id: string): VersionInfo[] {
    assertValidId(id, kind);
    return sortDesc([...this.versionMap(kind, id).values()]).map(versionInfo);
  }

  /**
   * Resolves 'latest', an exact version (served even when yanked, with the yank notice) or a semver
   * range ('1', '^1.2', '~1.2.3'; prereleases only when the range names one). Yanked versions never
   * satisfy a range; deprecated ones only when nothing else does.
   */
  resolve(kind: ArtifactKind, id: string, range: string): StoredArtifact | undefined {
    assertValidId(id, kind);
    const wanted = range.trim();
    if (wanted === '' || wanted === 'latest') return this.get(kind, id);
    if (wanted.length > 256) throw new InvalidRangeError(wanted.slice(0, 40));
    const versions = this.versionMap(kind, id);
    const exact = semver.valid(wanted);
    if (exact) return versions.get(exact);
    if (semver.validRange(wanted) === null) throw new InvalidRangeError(wanted);
    const candidates = [...versions.values()].filter((a) => !a.yanked && semver.satisfies(a.meta.version, wanted));
    return pickPreferred(candidates);
  }

  async deprecate(kind: ArtifactKind, id: string, version: string, reason: string): Promise<VersionInfo> {
    return this.mark(kind, id, version, 'deprecated', reason);
  }

  async yank(kind: ArtifactKind, id: string, version: string, reason: string): Promise<VersionInfo> {
    return this.mark(kind, id, version, 'yanked', reason);
  }

  list(query: ListQuery = {}): { items: StoredSummary[]; total: number } {
    const channel = query.channel ?? 'stable';
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.min(500, Math.max(0, Math.floor(query.limit ?? 50)));
    const kinds = query.kind ? [query.kind] : KINDS;
    const matches: StoredSummary[] = [];
    for (const kind of kinds) {
      for (const versions of this.byKind.get(kind)?.values() ?? []) {
        const latest = pickLatest([...versions.values()], channel);
        if (!latest) continue;
        const m = latest.meta;
        if (query.platform && m.platform !== query.platform) continue;
        if (query.category && m.category !== query.category) continue;
        if (query.tag && !m.tags.includes(query.tag)) continue;
        matches.push(withoutContent(latest));
      }
    }
    matches.sort((a, b) => a.meta.id.localeCompare(b.meta.id));
    return { items: matches.slice(offset, offset + limit), total: matches.length };
  }

  /** Latest stable version of every artifact (what search indexes). */
  latestArtifacts(kind?: ArtifactKind): StoredArtifact[] {
    const out: StoredArtifact[] = [];
    for (const k of kind ? [kind] : KINDS) {
      for (const versions of this.byKind.get(k)?.values() ?? []) {
        const latest = pickLatest([...versions.values()], 'stable');
        if (latest) out.push(latest);
      }
    }
    return out;
  }

  index(): RegistryIndex {
    const entries: Record<string, IndexVersionEntry[]> = {};
    for (const kind of KINDS) {
      const ids = [...(this.byKind.get(kind)?.keys() ?? [])].sort();
      for (const id of ids) {
        entries[id] = sortDesc([...this.versionMap(kind, id).values()]).map((a) => {
          const entry: IndexVersionEntry = {
            kind,
            version: a.meta.version,
            digest: a.meta.digest,
            etag: etagFor(a),
            created: a.published_at,
            filename: a.filename,
            platform: a.meta.platform,
            category: a.meta.category,
            summary: a.meta.summary,
            tags: a.meta.tags,
            urls: [this.urlFor(kind, id, a.meta.version)],
            deprecated: a.deprecated !== null,
            yanked: a.yanked !== null,
          };
          if (a.deprecated) entry.deprecation_reason = a.deprecated.reason;
          if (a.yanked) entry.yank_reason = a.yanked.reason;
          return entry;
        });
      }
    }
    return { apiVersion: 'v1', generated: this.now().toISOString(), entries };
  }

  /** Path of the version's file on disk (for sendFile-style serving). */
  filePath(artifact: Pick<Artifact, 'meta' | 'filename'>): string {
    return join(this.versionDir(artifact.meta.kind, artifact.meta.id, artifact.meta.version), artifact.filename);
  }

  private async mark(kind: ArtifactKind, id: string, version: string, field: 'deprecated' | 'yanked', reason: string): Promise<VersionInfo> {
    assertValidId(id, kind);
    assertValidVersion(version);
    return this.exclusive(async () => {
      await this.ensureLoaded();
      const current = await this.readVersionIfPresent(kind, id, version);
      if (!current) throw new NotFoundError(`${id}@${version} is not published`);
      const updated: StoredArtifact = { ...current, [field]: { reason: reason.slice(0, 2000), at: this.now().toISOString() } };
      await writeFileAtomic(join(this.versionDir(kind, id, version), META_FILE), JSON.stringify(withoutContent(updated), null, 2));
      this.remember(updated);
      await this.writeIndex();
      return versionInfo(updated);
    });
  }

  private sameOrConflict(existing: StoredArtifact, incoming: StoredArtifact): PublishResult {
    if (bareDigest(existing.meta.digest) !== bareDigest(incoming.meta.digest)) {
      throw new ImmutableVersionError(existing.meta.id, existing.meta.version, existing.meta.digest, incoming.meta.digest);
    }
    return { status: 'unchanged', artifact: existing };
  }

  private async readVersionIfPresent(kind: ArtifactKind, id: string, version: string): Promise<StoredArtifact | undefined> {
    try {
      return await this.readVersion(kind, id, version);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async readVersion(kind: ArtifactKind, id: string, version: string): Promise<StoredArtifact> {
    assertValidVersion(version);
    const dir = this.versionDir(kind, id, version);
    const meta = MetaFileSchema.parse(JSON.parse(await readFile(join(dir, META_FILE), 'utf8')));
    if (meta.meta.id !== id || meta.meta.version !== version || meta.meta.kind !== kind) {
      throw new Error('meta.json does not match its directory');
    }
    assertValidFileName(meta.filename);
    const content = await readFile(join(dir, meta.filename), 'utf8');
    return { ...meta, content };
  }

  private remember(artifact: StoredArtifact): void {
    const { kind, id, version } = artifact.meta;
    let ids = this.byKind.get(kind);
    if (!ids) this.byKind.set(kind, (ids = new Map()));
    let versions = ids.get(id);
    if (!versions) ids.set(id, (versions = new Map()));
    versions.set(version, artifact);
  }

  private versionMap(kind: ArtifactKind, id: string): VersionMap {
    return this.byKind.get(kind)?.get(id) ?? new Map();
  }

  private versionDir(kind: ArtifactKind, id: string, version: string): string {
    return join(this.dir, kindDir(kind), id, version);
  }

  private async writeIndex(): Promise<void> {
    await writeFileAtomic(join(this.dir, INDEX_FILE), JSON.stringify(this.index(), null, 2));
  }

  /** Only inside exclusive(): reload() would queue behind the caller and never run. */
  private async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.load();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function withoutContent(a: StoredArtifact): StoredSummary {
  const { content: _content, ...rest } = a;
  return rest;
}

function versionInfo(a: StoredArtifact): VersionInfo {
  return {
    version: a.meta.version,
    digest: a.meta.digest,
    etag: etagFor(a),
    published_at: a.published_at,
    prerelease: semver.prerelease(a.meta.version) !== null,
    deprecated: a.deprecated,
    yanked: a.yanked,
  };
}

function sortDesc(list: StoredArtifact[]): StoredArtifact[] {
  return [...list].sort((a, b) => semver.rcompare(a.meta.version, b.meta.version));
}

/** Highest version, preferring ones that are not deprecated. */
function pickPreferred(candidates: StoredArtifact[]): StoredArtifact | undefined {
  const sorted = sortDesc(candidates);
  return sorted.find((a) => !a.deprecated) ?? sorted[0];
}

function pickLatest(all: StoredArtifact[], channel: Channel): StoredArtifact | undefined {
  if (channel === 'all') return sortDesc(all).find((a) => !a.yanked) ?? sortDesc(all)[0];
  const live = all.filter((a) => !a.yanked);
  if (channel === 'stable') return pickPreferred(live.filter((a) => semver.prerelease(a.meta.version) === null));
  return pickPreferred(live);
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function writeSynced(path: string, data: string): Promise<void> {
  await writeFile(path, data, { encoding: 'utf8', flag: 'wx' });
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
