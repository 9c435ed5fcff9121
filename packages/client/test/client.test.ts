import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact, AuditReport } from '@linkops/shared/contracts';
import { LinkOpsClient, LinkOpsHttpError } from '../src/index.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function artifact(id: string, version: string, content: string): Artifact {
  const kind = id.startsWith('orb.') ? 'orb' : 'rune';
  return {
    meta: {
      id,
      kind,
      version,
      platform: 'gha',
      category: 'security',
      summary: `${id} summary`,
      description: 'd',
      tags: ['security'],
      inputs: [],
      outputs: [],
      requires: { tools: [], permissions: [] },
      provenance: { records: [], urls: [] },
      generator: 'test',
      digest: sha(content),
    },
    filename: `${id}.v${version.split('.')[0]}.${kind === 'orb' ? 'yaml' : 'py'}`,
    content,
  };
}

const REPORT: AuditReport = {
  schema_version: '1.0.0',
  scan_id: 'scan-1',
  repo_url: 'https://github.com/acme/app',
  ref: null,
  commit: 'abc',
  created_at: '2025-01-01T00:00:00Z',
  engines: [],
  timings: {},
  inventory: { files: 1, bytes: 10, skipped: {}, languages: [] },
  services: [],
  edges: [],
  score: 42,
  checks: [],
  summary: { total: 0, by_severity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, by_scanner: {} },
  findings: [],
  warnings: [],
  data: {},
};

/** Mimics the whis_logic / whis_data_input / audit_assess routes the lead wires. */
class MockServer {
  server!: Server;
  base = '';
  log: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }> = [];
  artifacts: Artifact[] = [artifact('orb.gha.security', '1.0.0', 'name: sec\n'), artifact('orb.gha.security', '1.1.0', 'name: sec v1.1\n'), artifact('rune.gha.pipeline', '0.1.0', 'print("hi")\n')];
  yanked = new Set<string>();
  scanPolls = 0;
  indexVersion = 1;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        this.log.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body });
        const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(payload === undefined ? '' : JSON.stringify(payload));
        };
        const fail = (status: number, code: string, message: string) => send(status, { error: { code, message, details: { path: url.pathname } } });
        this.route(req, url, body, send, fail, res);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private versionsOf(kind: string, id: string) {
    return this.artifacts.filter((a) => a.meta.kind === kind && a.meta.id === id).sort((a, b) => b.meta.version.localeCompare(a.meta.version));
  }

  private route(
    req: IncomingMessage,
    url: URL,
    body: string,
    send: (s: number, p: unknown, h?: Record<string, string>) => void,
    fail: (s: number, c: string, m: string) => void,
    res: import('node:http').ServerResponse,
  ): void {
    const p = url.pathname;
    const etag = (a: Artifact) => `"sha256-${a.meta.digest}"`;
    const m = /^\/(orbs|runes)(?:\/([^/]+))?(?:\/(versions|stats|raw))?(?:\/([^/]+))?$/.exec(p);
    if (req.method === 'GET' && m) {
      const kind = m[1] === 'orbs' ? 'orb' : 'rune';
      if (!m[2]) {
        const items = this.artifacts.filter((a) => a.meta.kind === kind).map(({ content: _c, ...rest }) => rest);
        return send(200, { items, total: items.length });
      }
      const id = decodeURIComponent(m[2]);
      if (!/^(orb|rune)\.[a-z0-9-]+\.[a-z0-9-]+$/.test(id)) return fail(400, 'invalid_id', 'invalid artifact id');
      const all = this.versionsOf(kind, id);
      if (!all.length) return fail(404, 'not_found', `${id} not found`);
      if (m[3] === 'stats') return send(200, { artifact: id, uses: 3, wilson_lower_bound: 0.2 });
      if (m[3] === 'versions' && !m[4]) return send(200, all.map((a) => ({ version: a.meta.version, digest: a.meta.digest, deprecated: null, yanked: null })));
      const a = m[4] ? all.find((x) => x.meta.version === decodeURIComponent(m[4]!)) : all[0];
      if (!a) return fail(404, 'not_found', 'no matching version');
      if (req.headers['if-none-match'] === etag(a)) {
        res.writeHead(304, { etag: etag(a) });
        return void res.end();
      }
      const accept = req.headers.accept ?? '';
      if (accept.includes('application/yaml') || accept.includes('text/x-python')) {
        res.writeHead(200, { 'content-type': kind === 'orb' ? 'application/yaml' : 'text/x-python', etag: etag(a) });
        return void res.end(a.content);
      }
      return send(200, { ...a, published_at: '2025-01-01T00:00:00Z', deprecated: null, yanked: null }, { etag: etag(a) });
    }
    if (req.method === 'GET' && p === '/search') {
      const q = url.searchParams.get('q') ?? '';
      const items = this.artifacts
        .filter((a) => a.meta.id.includes(q) && (!url.searchParams.get('kind') || a.meta.kind === url.searchParams.get('kind')))
        .map((a) => ({ id: a.meta.id, kind: a.meta.kind, version: a.meta.version, score: 1, summary: a.meta.summary }));
      return send(200, { items });
    }
    if (req.method === 'GET' && p === '/index.json') {
      const tag = `"index-${this.indexVersion}"`;
      if (req.headers['if-none-match'] === tag) {
        res.writeHead(304, { etag: tag });
        return void res.end();
      }
      const entries: Record<string, unknown[]> = {};
      for (const a of this.artifacts) {
        (entries[a.meta.id] ??= []).push({
          kind: a.meta.kind,
          version: a.meta.version,
          digest: a.meta.digest,
          filename: a.filename,
          urls: [`/${a.meta.kind}s/${a.meta.id}/versions/${a.meta.version}`],
          deprecated: false,
          yanked: this.yanked.has(`${a.meta.id}@${a.meta.version}`),
        });
      }
      return send(200, { apiVersion: 'v1', generated: new Date().toISOString(), entries }, { etag: tag });
    }
    if (req.method === 'POST' && p === '/feedback') return send(202, { accepted: true });
    if (req.method === 'POST' && p === '/data') {
      const parsed = JSON.parse(body) as { task?: unknown };
      if (typeof parsed.task !== 'string') return fail(400, 'validation_error', 'task must be a string');
      return send(202, { id: 'rec-1', status: 'received' });
    }
    if (req.method === 'GET' && p === '/data/rec-1/journey') {
      return send(200, { record_id: 'rec-1', events: [{ stage: 'received', service: 'whis_data_input', at: '2025-01-01T00:00:00Z' }, { stage: 'sanitized', service: 'whis_sanitize', at: '2025-01-01T00:00:01Z' }] });
    }
    if (req.method === 'POST' && p === '/scan/audit') {
      const parsed = JSON.parse(body) as { repo_url: string };
      if (!parsed.repo_url.startsWith('https://')) return fail(400, 'invalid_repo_url', 'repo_url must be https');
      return send(202, { scan_id: 'scan-1', status: 'queued' });
    }
    if (req.method === 'GET' && p === '/scan/scan-1') {
      this.scanPolls++;
      return send(200, { scan_id: 'scan-1', status: this.scanPolls >= 2 ? 'done' : 'running' });
    }
    if (req.method === 'GET' && p === '/scan/scan-1/report') {
      const format = url.searchParams.get('format');
      if (format === 'sarif') return send(200, { version: '2.1.0', runs: [] });
      if (format === 'markdown') {
        res.writeHead(200, { 'content-type': 'text/markdown' });
        return void res.end('# Audit report\n');
      }
      return send(200, REPORT);
    }
    fail(404, 'not_found', 'no route');
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let mock: MockServer;
let client: LinkOpsClient;
beforeAll(async () => {
  mock = new MockServer();
  await mock.start();
});
afterAll(async () => mock.close());
beforeEach(() => {
  mock.log = [];
  client = new LinkOpsClient({ logicUrl: mock.base, dataUrl: mock.base, auditUrl: mock.base, token: 't0ken' });
});

async function expectHttpError(p: Promise<unknown>): Promise<LinkOpsHttpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LinkOpsHttpError);
    return err as LinkOpsHttpError;
  }
  throw new Error('expected a LinkOpsHttpError');
}

describe('orbs and runes', () => {
  it('lists, gets latest and resolves a range', async () => {
    const list = await client.listOrbs({ tag: 'security', limit: 10 });
    expect(list.total).toBe(2);
    expect(mock.log[0]?.path).toBe('/orbs?tag=security&limit=10');
    expect(mock.log[0]?.headers.authorization).toBe('Bearer t0ken');
    const latest = await client.getOrb('orb.gha.security');
    expect(latest.meta.version).toBe('1.1.0');
    expect(latest.content).toBe('name: sec v1.1\n');
    const pinned = await client.getOrb('orb.gha.security', '1.0.0');
    expect(pinned.meta.version).toBe('1.0.0');
    expect(mock.log.at(-1)?.path).toBe('/orbs/orb.gha.security/versions/1.0.0');
    const rune = await client.getRune('rune.gha.pipeline');
    expect(rune.content).toBe('print("hi")\n');
  });

  it('downloads raw files through content negotiation', async () => {
    const yaml = await client.getOrbFile('orb.gha.security');
    expect(yaml).toMatchObject({ content: 'name: sec v1.1\n', contentType: 'application/yaml' });
    expect(yaml.etag).toBe(`"sha256-${sha('name: sec v1.1\n')}"`);
    expect(mock.log.at(-1)?.headers.accept).toBe('application/yaml');
    const py = await client.getRuneFile('rune.gha.pipeline');
    expect(py.contentType).toBe('text/x-python');
    expect(mock.log.at(-1)?.headers.accept).toBe('text/x-python');
  });

  it('reads versions and stats', async () => {
    expect((await client.versions('orb', 'orb.gha.security')).map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(await client.stats('orb', 'orb.gha.security')).toMatchObject({ uses: 3 });
  });

  it('turns JSON error bodies into LinkOpsHttpError', async () => {
    const missing = await expectHttpError(client.getOrb('orb.gha.nope'));
    expect(missing).toMatchObject({ status: 404, code: 'not_found', message: 'orb.gha.nope not found' });
    const bad = await expectHttpError(client.getOrb('../../etc/passwd'));
    expect(bad.status).toBe(400);
    expect(bad.code).toBe('invalid_id');
    expect(mock.log.at(-1)?.path).toBe('/orbs/..%2F..%2Fetc%2Fpasswd');
  });

  it('reports transport failures with status 0', async () => {
    const offline = new LinkOpsClient({ logicUrl: 'http://127.0.0.1:1' });
    const err = await expectHttpError(offline.listOrbs());
    expect(err.status).toBe(0);
    expect(err.code).toBe('network_error');
  });
});

describe('search and feedback', () => {
  it('searches with filters', async () => {
    const hits = await client.search('gha', { kind: 'rune' });
    expect(hits.map((h) => h.id)).toEqual(['rune.gha.pipeline']);
    expect(mock.log.at(-1)?.path).toBe('/search?q=gha&kind=rune');
  });

  it('validates feedback before sending', async () => {
    await client.reportFeedback({ artifact: 'orb.gha.security', version: '1.1.0', outcome: 'failure', agent: 'a1', notes: 'step 2' });
    expect(JSON.parse(mock.log.at(-1)!.body)).toMatchObject({ outcome: 'failure', notes: 'step 2' });
    const n = mock.log.length;
    await expect(client.reportFeedback({ artifact: 'x', version: '1', outcome: 'maybe', agent: 'a' } as never)).rejects.toThrow();
    expect(mock.log.length).toBe(n);
  });
});

describe('intake', () => {
  it('submits a pair and reads its journey', async () => {
    const rec = await client.submit({ task: 'Convert repo to GitOps', answer: 'Add a Helm chart' });
    expect(rec.id).toBe('rec-1');
    expect(JSON.parse(mock.log.at(-1)!.body)).toMatchObject({ task: 'Convert repo to GitOps', source: 'human', tags: [] });
    const events = await client.journey('rec-1');
    expect(events.map((e) => e.stage)).toEqual(['received', 'sanitized']);
  });

  it('rejects an invalid submission locally', async () => {
    await expect(client.submit({ task: '  ' })).rejects.toThrow(/task must not be empty/);
    await expect(client.submit({ task: 'only a task' })).rejects.toThrow(/answer/);
    expect(mock.log).toEqual([]);
  });
});

describe('audit', () => {
  it('starts a scan, polls until done and fetches the report', async () => {
    mock.scanPolls = 0;
    const out = await client.audit('https://github.com/acme/app', { wait: 10, pollMs: 10 });
    expect(out).toMatchObject({ scan_id: 'scan-1', status: 'done' });
    expect(out.report?.score).toBe(42);
    expect(JSON.parse(mock.log.find((l) => l.path === '/scan/audit')!.body)).toEqual({ repo_url: 'https://github.com/acme/app', wait: 10 });
    expect(mock.log.filter((l) => l.path === '/scan/scan-1').length).toBe(2);
  });

  it('returns immediately without wait', async () => {
    expect(await client.audit('https://github.com/acme/app')).toEqual({ scan_id: 'scan-1', status: 'queued' });
  });

  it('gets status and every report format', async () => {
    mock.scanPolls = 5;
    expect((await client.scanStatus('scan-1')).status).toBe('done');
    expect((await client.report('scan-1')).scan_id).toBe('scan-1');
    expect((await client.report('scan-1', 'sarif')).version).toBe('2.1.0');
    expect(await client.report('scan-1', 'markdown')).toBe('# Audit report\n');
    expect(mock.log.at(-1)?.path).toBe('/scan/scan-1/report?format=markdown');
  });

  it('surfaces server validation errors', async () => {
    const err = await expectHttpError(client.audit('file:///etc'));
    expect(err).toMatchObject({ status: 400, code: 'invalid_repo_url' });
  });
});

describe('syncIndex', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linkops-client-'));
    mock.yanked.clear();
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const fetched = () => mock.log.filter((l) => l.path.includes('/versions/')).map((l) => l.path);

  it('downloads every version once, then skips unchanged ones', async () => {
    const first = await client.syncIndex(dir);
    expect(first.index).toBe('updated');
    expect(first.downloaded.sort()).toEqual(['orb.gha.security@1.0.0', 'orb.gha.security@1.1.0', 'rune.gha.pipeline@0.1.0']);
    expect(first.failed).toEqual([]);
    expect(await readFile(join(dir, 'orbs', 'orb.gha.security', '1.1.0', 'orb.gha.security.v1.yaml'), 'utf8')).toBe('name: sec v1.1\n');
    const meta = JSON.parse(await readFile(join(dir, 'runes', 'rune.gha.pipeline', '0.1.0', 'meta.json'), 'utf8'));
    expect(meta.meta.id).toBe('rune.gha.pipeline');
    expect(meta.content).toBeUndefined();

    mock.log = [];
    const second = await client.syncIndex(dir);
    expect(second).toMatchObject({ index: 'unchanged', downloaded: [] });
    expect(second.unchanged).toHaveLength(3);
    expect(mock.log.map((l) => l.path)).toEqual(['/index.json']);
    expect(mock.log[0]?.headers['if-none-match']).toBe('"index-1"');
  });

  it('re-fetches a changed entry with If-None-Match and picks up new versions', async () => {
    await client.syncIndex(dir);
    // Local state claims an older digest: the client asks conditionally and the server says 304.
    const statePath = join(dir, '.linkops-sync.json');
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    state.artifacts['orb.gha.security@1.0.0'].digest = 'stale';
    await writeFile(statePath, JSON.stringify(state));
    mock.artifacts.push(artifact('orb.gha.security', '1.2.0', 'name: sec v1.2\n'));
    mock.indexVersion++;
    mock.log = [];
    const res = await client.syncIndex(dir);
    expect(res.index).toBe('updated');
    expect(res.downloaded).toEqual(['orb.gha.security@1.2.0']);
    expect(res.unchanged.sort()).toEqual(['orb.gha.security@1.0.0', 'orb.gha.security@1.1.0', 'rune.gha.pipeline@0.1.0']);
    const conditional = mock.log.find((l) => l.path === '/orbs/orb.gha.security/versions/1.0.0');
    expect(conditional?.headers['if-none-match']).toBe(`"sha256-${sha('name: sec\n')}"`);
    expect(fetched()).toEqual(['/orbs/orb.gha.security/versions/1.0.0', '/orbs/orb.gha.security/versions/1.2.0']);
    mock.artifacts.pop();
    mock.indexVersion++;
  });

  it('skips yanked versions and refuses digest mismatches', async () => {
    mock.yanked.add('orb.gha.security@1.0.0');
    const bad = artifact('orb.gha.bad', '1.0.0', 'a: 1\n');
    bad.meta.digest = sha('something else');
    mock.artifacts.push(bad);
    mock.indexVersion++;
    const res = await client.syncIndex(dir);
    expect(res.downloaded.sort()).toEqual(['orb.gha.security@1.1.0', 'rune.gha.pipeline@0.1.0']);
    expect(res.failed).toEqual([{ key: 'orb.gha.bad@1.0.0', error: expect.stringContaining('digest mismatch') }]);
    mock.artifacts.pop();
    mock.indexVersion++;
  });
});
