import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  AuditReportSchema,
  FeedbackSchema,
  JourneyEventSchema,
  SubmissionSchema,
  type ArtifactKind,
  type AuditReport,
  type Feedback,
  type JourneyEvent,
} from '@linkops/shared/contracts';
import { LinkOpsHttpError } from './errors.js';
import {
  ListResponseSchema,
  RegistryIndexSchema,
  ScanStatusSchema,
  SearchHitSchema,
  ServedArtifactSchema,
  VersionInfoSchema,
  type ListResponse,
  type RegistryIndex,
  type ScanStatus,
  type SearchHit,
  type ServedArtifact,
  type VersionInfo,
} from './schemas.js';

export interface LinkOpsClientOptions {
  /** whis_logic (orbs, runes, search, feedback). */
  logicUrl?: string;
  /** whis_data_input (submit, journey). */
  dataUrl?: string;
  /** audit_assess (scans and reports). */
  auditUrl?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per-request timeout (default 30 s; audit with wait adds the wait). */
  timeoutMs?: number;
  /** Injectable fetch (defaults to the global one). */
  fetch?: typeof fetch;
}

export interface ListParams {
  platform?: string;
  category?: string;
  tag?: string;
  channel?: 'stable' | 'prerelease' | 'all';
  offset?: number;
  limit?: number;
}

export interface SearchFilters {
  kind?: ArtifactKind;
  platform?: string;
  tag?: string;
  limit?: number;
}

export interface ArtifactFile {
  content: string;
  contentType: string;
  etag: string | null;
}

export interface SyncOptions {
  /** Also download yanked versions (default false). */
  includeYanked?: boolean;
  /** Only the first (newest) listed version of each artifact (default false: every version). */
  latestOnly?: boolean;
}

export interface SyncResult {
  index: 'updated' | 'unchanged';
  /** `<id>@<version>` keys. */
  downloaded: string[];
  unchanged: string[];
  failed: Array<{ key: string; error: string }>;
}

export interface AuditOptions {
  /** Seconds the server (and then the client, polling) may wait for the report. */
  wait?: number;
  ref?: string;
  history?: boolean;
  migrate?: boolean;
  /** Poll interval while waiting (default 1000 ms). */
  pollMs?: number;
}

export interface AuditOutcome {
  scan_id: string;
  status: string;
  /** Present when the scan finished within the wait. */
  report?: AuditReport;
}

export type SubmissionInput = z.input<typeof SubmissionSchema>;
export type ReportFormat = 'json' | 'sarif' | 'markdown' | 'html';

const ACCEPT_FILE: Record<ArtifactKind, string> = { orb: 'application/yaml', rune: 'text/x-python' };
const SAFE_ID = /^(orb|rune)\.[a-z0-9][a-z0-9-]{0,62}\.[a-z0-9][a-z0-9-]{0,62}$/;
const SAFE_VERSION = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.+-]{1,60})?$/;
const SAFE_FILE = /^[a-z0-9][a-z0-9._-]{0,199}$/i;
const SYNC_STATE = '.linkops-sync.json';
const DONE = new Set(['done', 'completed', 'failed', 'error']);

interface SyncState {
  index_etag?: string;
  artifacts: Record<string, { etag: string | null; digest: string; path: string }>;
}

/** Typed HTTP client for agents and the CLI: orbs/runes, search, feedback, intake and audits. */
export class LinkOpsClient {
  readonly logicUrl: string;
  readonly dataUrl: string;
  readonly auditUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: LinkOpsClientOptions = {}) {
    this.logicUrl = opts.logicUrl ?? 'http://127.0.0.1:8013';
    this.dataUrl = opts.dataUrl ?? 'http://127.0.0.1:8001';
    this.auditUrl = opts.auditUrl ?? 'http://127.0.0.1:8003';
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  listOrbs(params: ListParams = {}): Promise<ListResponse> {
    return this.list('orb', params);
  }

  listRunes(params: ListParams = {}): Promise<ListResponse> {
    return this.list('rune', params);
  }

  /** Latest stable orb, or the best match for `range` ('1', '^1.2', '1.2.0', 'latest'). */
  getOrb(id: string, range?: string): Promise<ServedArtifact> {
    return this.getArtifact('orb', id, range);
  }

  getRune(id: string, range?: string): Promise<ServedArtifact> {
    return this.getArtifact('rune', id, range);
  }

  /** The raw file (YAML for orbs, Python for runes) via content negotiation. */
  getOrbFile(id: string, range?: string): Promise<ArtifactFile> {
    return this.getArtifactFile('orb', id, range);
  }

  getRuneFile(id: string, range?: string): Promise<ArtifactFile> {
    return this.getArtifactFile('rune', id, range);
  }

  async getArtifact(kind: ArtifactKind, id: string, range?: string): Promise<ServedArtifact> {
    const res = await this.request(this.logicUrl, artifactPath(kind, id, range));
    return parse(ServedArtifactSchema, await res.json(), res.url);
  }

  async getArtifactFile(kind: ArtifactKind, id: string, range?: string): Promise<ArtifactFile> {
    const res = await this.request(this.logicUrl, artifactPath(kind, id, range), { headers: { accept: ACCEPT_FILE[kind] } });
    return { content: await res.text(), contentType: res.headers.get('content-type') ?? '', etag: res.headers.get('etag') };
  }

  async versions(kind: ArtifactKind, id: string): Promise<VersionInfo[]> {
    const res = await this.request(this.logicUrl, `/${kind}s/${encodeURIComponent(id)}/versions`);
    const body: unknown = await res.json();
    return parse(z.array(VersionInfoSchema), Array.isArray(body) ? body : listIn(body, 'versions', 'items'), res.url);
  }

  /** Feedback statistics of an artifact as whis_logic reports them. */
  async stats(kind: ArtifactKind, id: string): Promise<Record<string, unknown>> {
    const res = await this.request(this.logicUrl, `/${kind}s/${encodeURIComponent(id)}/stats`);
    return parse(z.record(z.string(), z.unknown()), await res.json(), res.url);
  }

  async search(q: string, filters: SearchFilters = {}): Promise<SearchHit[]> {
    const res = await this.request(this.logicUrl, `/search${query({ q, ...filters })}`);
    const body: unknown = await res.json();
    return parse(z.array(SearchHitSchema), Array.isArray(body) ? body : listIn(body, 'items', 'results', 'hits'), res.url);
  }

  async reportFeedback(feedback: Feedback): Promise<unknown> {
    const res = await this.request(this.logicUrl, '/feedback', { method: 'POST', json: FeedbackSchema.parse(feedback) });
    return readJson(res);
  }

  /** Submits a task/answer pair to whis_data_input; returns the record id (idempotent server side). */
  async submit(pair: SubmissionInput): Promise<{ id: string } & Record<string, unknown>> {
    const body = SubmissionSchema.parse(pair);
    const res = await this.request(this.dataUrl, '/data', { method: 'POST', json: body });
    const out = (await res.json()) as Record<string, unknown>;
    const id = out.id ?? out.record_id;
    if (typeof id !== 'string') throw new LinkOpsHttpError(res.status, 'bad_response', 'submission response has no id', out, res.url);
    return { ...out, id };
  }

  /** Pipeline stages a record went through (received ... published/rejected). */
  async journey(recordId: string): Promise<JourneyEvent[]> {
    const res = await this.request(this.dataUrl, `/data/${encodeURIComponent(recordId)}/journey`);
    const body: unknown = await res.json();
    return parse(z.array(JourneyEventSchema), Array.isArray(body) ? body : listIn(body, 'events', 'journey', 'items'), res.url);
  }

  /**
   * Starts an audit. With `wait`, the server may answer with the finished report; otherwise the
   * client polls the scan until it is done or the wait is over, then fetches the report.
   */
  async audit(repoUrl: string, opts: AuditOptions = {}): Promise<AuditOutcome> {
    const payload: Record<string, unknown> = { repo_url: repoUrl };
    if (opts.wait !== undefined) payload.wait = opts.wait;
    if (opts.ref !== undefined) payload.ref = opts.ref;
    if (opts.history !== undefined) payload.history = opts.history;
    if (opts.migrate !== undefined) payload.migrate = opts.migrate;
    const timeout = this.timeoutMs + (opts.wait ?? 0) * 1000;
    const res = await this.request(this.auditUrl, '/scan/audit', { method: 'POST', json: payload, timeoutMs: timeout });
    const body = (await res.json()) as Record<string, unknown>;
    const asReport = AuditReportSchema.safeParse(body.report ?? body);
    if (asReport.success) return { scan_id: asReport.data.scan_id, status: 'done', report: asReport.data };
    const scanId = body.scan_id ?? body.id;
    if (typeof scanId !== 'string') throw new LinkOpsHttpError(res.status, 'bad_response', 'audit response has no scan_id', body, res.url);
    let status = typeof body.status === 'string' ? body.status : 'queued';
    if (!opts.wait) return { scan_id: scanId, status };
    const deadline = Date.now() + opts.wait * 1000;
    while (!DONE.has(status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
      status = (await this.scanStatus(scanId)).status;
    }
    if (status === 'done' || status === 'completed') return { scan_id: scanId, status, report: await this.report(scanId, 'json') };
    return { scan_id: scanId, status };
  }

  async scanStatus(scanId: string): Promise<ScanStatus> {
    const res = await this.request(this.auditUrl, `/scan/${encodeURIComponent(scanId)}`);
    const body: unknown = await res.json();
    const state = body && typeof body === 'object' && 'state' in body && !('status' in body) ? { ...body, status: (body as { state: unknown }).state } : body;
    return parse(ScanStatusSchema, state, res.url);
  }

  report(scanId: string, format?: 'json'): Promise<AuditReport>;
  report(scanId: string, format: 'sarif'): Promise<Record<string, unknown>>;
  report(scanId: string, format: 'markdown' | 'html'): Promise<string>;
  async report(scanId: string, format: ReportFormat = 'json'): Promise<AuditReport | Record<string, unknown> | string> {
    const suffix = format === 'json' ? '' : `?format=${format}`;
    const res = await this.request(this.auditUrl, `/scan/${encodeURIComponent(scanId)}/report${suffix}`);
    if (format === 'json') return parse(AuditReportSchema, await res.json(), res.url);
    if (format === 'sarif') return parse(z.record(z.string(), z.unknown()), await res.json(), res.url);
    return res.text();
  }

  /**
   * Mirrors the catalogue into `dir` (`<dir>/<kind>s/<id>/<version>/<file>` + meta.json +
   * index.json). Unchanged versions (same digest already on disk) are not requested again; the
   * index and any re-fetched version use If-None-Match.
   */
  async syncIndex(dir: string, opts: SyncOptions = {}): Promise<SyncResult> {
    const statePath = join(dir, SYNC_STATE);
    const state = await readState(statePath);
    const result: SyncResult = { index: 'updated', downloaded: [], unchanged: [], failed: [] };
    const indexPath = join(dir, 'index.json');
    const indexRes = await this.request(this.logicUrl, '/index.json', {
      headers: state.index_etag && (await exists(indexPath)) ? { 'if-none-match': state.index_etag } : {},
      allow304: true,
    });
    let index: RegistryIndex;
    if (indexRes.status === 304) {
      result.index = 'unchanged';
      index = parse(RegistryIndexSchema, JSON.parse(await readFile(indexPath, 'utf8')), indexRes.url);
    } else {
      const text = await indexRes.text();
      index = parse(RegistryIndexSchema, JSON.parse(text), indexRes.url);
      await writeAtomic(indexPath, text);
      const etag = indexRes.headers.get('etag');
      if (etag) state.index_etag = etag;
      else delete state.index_etag;
    }

    for (const [id, versions] of Object.entries(index.entries)) {
      for (const entry of opts.latestOnly ? versions.slice(0, 1) : versions) {
        const key = `${id}@${entry.version}`;
        if (entry.yanked && !opts.includeYanked) continue;
        try {
          if (!SAFE_ID.test(id) || !id.startsWith(`${entry.kind}.`) || !SAFE_VERSION.test(entry.version) || !SAFE_FILE.test(entry.filename) || entry.filename.includes('..')) {
            throw new Error('unsafe id, version or file name in index');
          }
          const path = join(dir, `${entry.kind}s`, id, entry.version, entry.filename);
          const known = state.artifacts[key];
          const onDisk = await exists(path);
          if (known && known.digest === entry.digest && onDisk) {
            result.unchanged.push(key);
            continue;
          }
          const url = entry.urls[0]!;
          const res = await this.request(this.logicUrl, url, {
            headers: known?.etag && onDisk && known.path === path ? { 'if-none-match': known.etag } : {},
            allow304: true,
          });
          if (res.status === 304) {
            state.artifacts[key] = { ...known!, digest: entry.digest };
            result.unchanged.push(key);
            continue;
          }
          const artifact = parse(ServedArtifactSchema, await res.json(), res.url);
          if (artifact.meta.id !== id || artifact.meta.version !== entry.version || artifact.filename !== entry.filename) {
            throw new Error(`server returned ${artifact.meta.id}@${artifact.meta.version} for ${key}`);
          }
          verifyDigest(artifact.content, artifact.meta.digest);
          const { content, ...meta } = artifact;
          await writeAtomic(path, content);
          await writeAtomic(join(dirname(path), 'meta.json'), JSON.stringify(meta, null, 2));
          state.artifacts[key] = { etag: res.headers.get('etag'), digest: artifact.meta.digest, path };
          result.downloaded.push(key);
        } catch (err) {
          result.failed.push({ key, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    await writeAtomic(statePath, JSON.stringify(state, null, 2));
    return result;
  }

  private async list(kind: ArtifactKind, params: ListParams): Promise<ListResponse> {
    const res = await this.request(this.logicUrl, `/${kind}s${query({ ...params })}`);
    return parse(ListResponseSchema, await res.json(), res.url);
  }

  private async request(
    base: string,
    path: string,
    init: { method?: string; json?: unknown; headers?: Record<string, string>; timeoutMs?: number; allow304?: boolean } = {},
  ): Promise<Response> {
    const url = new URL(path, base).href;
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: init.method ?? 'GET',
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(init.timeoutMs ?? this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      const code = e.name === 'TimeoutError' ? 'timeout' : 'network_error';
      throw new LinkOpsHttpError(0, code, `${init.method ?? 'GET'} ${url}: ${e.message}`, undefined, url);
    }
    if (res.ok || (init.allow304 && res.status === 304)) return res;
    const text = await res.text().catch(() => '');
    let code = `http_${res.status}`;
    let message = `${init.method ?? 'GET'} ${url} -> ${res.status}`;
    let details: unknown;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
      if (parsed.error && typeof parsed.error === 'object') {
        if (typeof parsed.error.code === 'string') code = parsed.error.code;
        if (typeof parsed.error.message === 'string') message = parsed.error.message;
        details = parsed.error.details;
      }
    } catch {
      if (text) details = text.slice(0, 500);
    }
    throw new LinkOpsHttpError(res.status, code, message, details, url);
  }
}

function artifactPath(kind: ArtifactKind, id: string, range?: string): string {
  const base = `/${kind}s/${encodeURIComponent(id)}`;
  return range ? `${base}/versions/${encodeURIComponent(range)}` : base;
}

function query(params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `?${s}` : '';
}

function listIn(body: unknown, ...names: string[]): unknown {
  if (body && typeof body === 'object') {
    for (const n of names) {
      const v = (body as Record<string, unknown>)[n];
      if (Array.isArray(v)) return v;
    }
  }
  return body;
}

function parse<T>(schema: z.ZodType<T>, body: unknown, url: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new LinkOpsHttpError(200, 'bad_response', `unexpected response from ${url}: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`, r.error.issues, url);
  }
  return r.data;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Digests the registry computes are bare sha256 hex (optionally prefixed); anything else is not checked. */
function verifyDigest(content: string, digest: string): void {
  const bare = digest.replace(/^sha256[:-]/i, '');
  if (!/^[0-9a-f]{64}$/i.test(bare)) return;
  const actual = createHash('sha256').update(content, 'utf8').digest('hex');
  if (actual !== bare.toLowerCase()) throw new Error(`digest mismatch: expected ${bare}, got ${actual}`);
}

async function readState(path: string): Promise<SyncState> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as Partial<SyncState>;
    return { ...raw, artifacts: raw.artifacts ?? {} };
  } catch {
    return { artifacts: {} };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data, 'utf8');
  await rename(tmp, path);
}

/** Exposed for the ReDoS test. */
export const CLIENT_PATTERNS = [SAFE_ID, SAFE_VERSION, SAFE_FILE, /^[0-9a-f]{64}$/i] as const;
