import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import {
  AuditReportSchema,
  MigrateOptionsSchema,
  Counter,
  badRequest,
  csvList,
  envFlag,
  notFound,
  writeFileAtomic,
  type App,
  type AuditReport,
  type BaseConfig,
  type ServiceContext,
  type ServiceDefinition,
} from '@linkops/shared';
import {
  AUDIT_PAGE_CSP,
  AUDIT_PAGE_JS,
  DEFAULT_ALLOWED_HOSTS,
  RepoUrlError,
  auditRepository,
  renderAuditPage,
  reportCacheKey,
  toHtml,
  toMarkdown,
  toSarif,
  validateRef,
  validateRepoUrl,
  type ScannerFactorySet,
} from '@linkops/scan-core';
import { buildCycloneDx, createVulnScanner, loadOsvDirectory, type Package } from '@linkops/vulns';
import { createSecretScanner, scanHistory } from '@linkops/secrets';
import { createMisconfigScanners } from '@linkops/misconfig';

const execFileP = promisify(execFile);

const ConfigSchema = z.object({
  /** Tests and the CLI audit local paths / file:// repositories; never enable on a shared server. */
  AUDIT_ALLOW_LOCAL: envFlag(false),
  AUDIT_ALLOWED_HOSTS: csvList([...DEFAULT_ALLOWED_HOSTS]),
  AUDIT_CLONE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  AUDIT_MAX_REPO_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024),
  AUDIT_MAX_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(600),
});
type Config = z.infer<typeof ConfigSchema> & BaseConfig;

const ScanIdParams = z.object({ id: z.string().regex(/^scan_[a-z0-9]{10,40}$/, 'not a scan id') });
const AuditBody = z.object({
  repo_url: z.string().min(1).max(4096),
  ref: z.string().min(1).max(255).optional(),
  history: z.boolean().default(false),
  migrate: z.boolean().default(false),
  migrate_options: MigrateOptionsSchema.partial().optional(),
  wait: z.number().int().min(0).max(3600).optional(),
});

type ScanStatus = 'queued' | 'cloning' | 'scanning' | 'done' | 'failed';
interface ScanState {
  scan_id: string;
  status: ScanStatus;
  repo_url: string;
  ref: string | null;
  phase: string;
  files_done: number;
  files_total: number;
  created_at: string;
  updated_at: string;
  reason?: string;
  commit?: string;
  cached?: boolean;
  score?: number;
  migration_id?: string;
}

class Scans {
  readonly dir: string;
  constructor(readonly ctx: ServiceContext<Config>) {
    this.dir = join(ctx.dataDir, 'audit_assess', 'reports');
    mkdirSync(this.dir, { recursive: true });
  }
  private key(id: string) {
    return `${this.ctx.config.QUEUE_PREFIX}:scan:${id}`;
  }
  async get(id: string): Promise<ScanState | null> {
    const raw = await this.ctx.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as ScanState) : null;
  }
  async put(s: ScanState): Promise<void> {
    await this.ctx.redis.set(this.key(s.scan_id), JSON.stringify({ ...s, updated_at: new Date().toISOString() }), 'EX', 30 * 24 * 3600);
  }
  async update(id: string, patch: Partial<ScanState>): Promise<ScanState | null> {
    const s = await this.get(id);
    if (!s) return null;
    const next = { ...s, ...patch };
    await this.put(next);
    return next;
  }
  reportPath(id: string) {
    return join(this.dir, `${id}.json`);
  }
  async report(id: string): Promise<AuditReport | null> {
    try {
      return AuditReportSchema.parse(JSON.parse(await readFile(this.reportPath(id), 'utf8')));
    } catch {
      return null;
    }
  }
}

const scansByCtx = new WeakMap<object, Scans>();
const scansFor = (ctx: ServiceContext<Config>) => {
  let s = scansByCtx.get(ctx);
  if (!s) scansByCtx.set(ctx, (s = new Scans(ctx)));
  return s;
};

export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'audit_assess',
  configSchema: ConfigSchema,
  routes(app, ctx) {
    registerRoutes(app, ctx, scansFor(ctx));
  },
  async workers(ctx) {
    const scans = scansFor(ctx);
    const scanCounter = new Counter({ name: 'linkops_scans_total', help: 'Repository audits by outcome', labelNames: ['outcome'] as const, registers: [ctx.metrics.registry] });
    const findingsCounter = new Counter({ name: 'linkops_scan_findings_total', help: 'Findings reported by audits, by severity', labelNames: ['severity'] as const, registers: [ctx.metrics.registry] });
    // Engines load once per process (the advisory database is the expensive part).
    // Loaded in the background so the service answers /health at once; the first scan waits for it.
    const dbLoading = loadOsvDirectory();
    dbLoading.catch((err: Error) => ctx.log.error({ err: err.message }, 'advisory database failed to load'));
    const engines: ScannerFactorySet = {
      factories: [() => createSecretScanner(), async () => createVulnScanner({ db: await dbLoading }), () => createMisconfigScanners()],
      unavailable: [],
    };
    const historyScanner = (dir: string) => scanHistory(dir);
    let lastEngines: AuditReport['engines'] | null = null;
    const tmpRoot = join(tmpdir(), 'linkops-clones');
    mkdirSync(tmpRoot, { recursive: true });

    ctx.queues.work(
      'auditScan',
      async (job, jc) => {
        const { scan_id } = job;
        await scans.update(scan_id, { status: 'cloning', phase: 'clone' });
        // Cache by (repo, commit, engine versions): an unchanged commit gets the stored report at once.
        const commit = await headCommit(job.repo_url, job.ref, ctx.config.AUDIT_ALLOW_LOCAL);
        if (commit && lastEngines && !job.history) {
          const cachedId = await ctx.redis.get(`${ctx.config.QUEUE_PREFIX}:scan-cache:${reportCacheKey(job.repo_url, commit, lastEngines)}`);
          const cached = cachedId ? await scans.report(cachedId) : null;
          if (cached) {
            const report: AuditReport = { ...cached, scan_id, ref: job.ref, created_at: new Date().toISOString() };
            await writeFileAtomic(scans.reportPath(scan_id), JSON.stringify(report));
            await scans.update(scan_id, { status: 'done', phase: 'report', commit, cached: true, score: report.score });
            scanCounter.inc({ outcome: 'cached' });
            jc.log.info({ scan_id, cached_from: cachedId }, 'audit served from cache');
            await maybeMigrate(job, jc, scans);
            return { scan_id, cached: true };
          }
        }
        let lastWrite = 0;
        let report: AuditReport;
        try {
          report = await auditRepository(
            { repo_url: job.repo_url, ref: job.ref, history: job.history },
            {
              allowLocal: ctx.config.AUDIT_ALLOW_LOCAL,
              allowedHosts: ctx.config.AUDIT_ALLOWED_HOSTS,
              tmpRoot,
              timeoutMs: ctx.config.AUDIT_CLONE_TIMEOUT_MS,
              maxBytes: ctx.config.AUDIT_MAX_REPO_BYTES,
              scannerFactories: engines,
              historyScanner: job.history ? historyScanner : undefined,
              scanId: scan_id,
              onProgress: (phase, done, total) => {
                const now = Date.now();
                if (now - lastWrite < 250 && done !== total) return;
                lastWrite = now;
                void scans.update(scan_id, { status: phase === 'clone' || phase === 'validate' ? 'cloning' : 'scanning', phase, files_done: done, files_total: total }).catch(() => undefined);
              },
            },
          );
        } catch (err) {
          // The repository itself could not be audited (too large, clone failure, timeout, bad URL): final,
          // retrying cannot help. Infrastructure errors after this point are thrown so BullMQ retries the job.
          const reason = (err as Error).message;
          await scans.update(scan_id, { status: 'failed', reason });
          scanCounter.inc({ outcome: 'failed' });
          jc.log.warn({ scan_id, reason }, 'audit failed');
          return { scan_id, failed: reason };
        }
        await writeFileAtomic(scans.reportPath(scan_id), JSON.stringify(report));
        lastEngines = report.engines;
        // History reports carry findings from old commits: only plain scans are served to later plain requests.
        if (!job.history) {
          await ctx.redis.set(`${ctx.config.QUEUE_PREFIX}:scan-cache:${reportCacheKey(job.repo_url, report.commit, report.engines)}`, scan_id, 'EX', 30 * 24 * 3600);
        }
        await scans.update(scan_id, { status: 'done', phase: 'report', commit: report.commit, score: report.score, files_done: report.inventory.files, files_total: report.inventory.files });
        scanCounter.inc({ outcome: 'done' });
        for (const [sev, n] of Object.entries(report.summary.by_severity)) findingsCounter.inc({ severity: sev }, n);
        jc.log.info({ scan_id, commit: report.commit, score: report.score, findings: report.summary.total }, 'audit done');
        await maybeMigrate(job, jc, scans);
        return { scan_id, score: report.score };
      },
      { concurrency: ctx.config.WORKER_CONCURRENCY },
    );
  },
};

async function maybeMigrate(job: { scan_id: string; migrate: boolean }, jc: { enqueue: (k: 'auditMigrate', p: { migration_id: string; scan_id: string; options: Record<string, unknown> }) => Promise<string> }, scans: Scans) {
  if (!job.migrate) return;
  const state = await scans.get(job.scan_id);
  const migration_id = `mig_${job.scan_id.slice(5)}`;
  const options = MigrateOptionsSchema.parse((state as ScanState & { migrate_options?: unknown })?.migrate_options ?? {});
  await jc.enqueue('auditMigrate', { migration_id, scan_id: job.scan_id, options });
  await scans.update(job.scan_id, { migration_id });
}

/** The commit a ref points at, without cloning (for the report cache); null when unknown. */
async function headCommit(url: string, ref: string | null, allowLocal: boolean): Promise<string | null> {
  if (!allowLocal && !url.startsWith('https://')) return null;
  try {
    // Same restrictions as the clone: no host/user git config (url.insteadOf, helpers), only the needed protocol.
    const protocols = ['-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always', '-c', `protocol.file.allow=${allowLocal ? 'always' : 'never'}`];
    const { stdout } = await execFileP('git', [...protocols, 'ls-remote', '--', url, ref ?? 'HEAD'], {
      timeout: 15_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: '/nonexistent',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: '/bin/false',
        SSH_ASKPASS: '/bin/false',
      },
    });
    const sha = stdout.split('\n').map((l) => l.split('\t')[0]).find((s) => s && /^[0-9a-f]{40}$/.test(s));
    return sha ?? null;
  } catch {
    return null;
  }
}

function newScanId(): string {
  return `scan_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

function registerRoutes(app: App, ctx: ServiceContext<Config>, scans: Scans) {
  const tags = ['audit'];
  app.get('/', { schema: { hide: true } as object }, async (_req, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', AUDIT_PAGE_CSP).send(renderAuditPage()),
  );
  app.get('/app.js', { schema: { hide: true } as object }, async (_req, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(AUDIT_PAGE_JS),
  );

  app.post('/scan/audit', { config: { scope: 'scan' }, schema: { tags, summary: 'Audit a repository (queued; `wait` holds the request up to that many seconds)', body: AuditBody } }, async (req, reply) => {
    const body = req.body;
    let repo;
    let ref: string | null = null;
    try {
      // The ref first: it is checked offline, the URL may need DNS.
      ref = body.ref ? validateRef(body.ref) : null;
      repo = await validateRepoUrl(body.repo_url, { allowLocal: ctx.config.AUDIT_ALLOW_LOCAL, allowedHosts: ctx.config.AUDIT_ALLOWED_HOSTS });
    } catch (err) {
      if (err instanceof RepoUrlError) {
        const field = err.code === 'invalid_ref' ? 'body.ref' : 'body.repo_url';
        throw badRequest(`${field}: ${err.reason}`, { field, reason: err.reason, code: err.code });
      }
      throw err;
    }
    const scan_id = newScanId();
    const now = new Date().toISOString();
    const state: ScanState & { migrate_options?: unknown } = {
      scan_id,
      status: 'queued',
      repo_url: repo.url,
      ref,
      phase: 'queued',
      files_done: 0,
      files_total: 0,
      created_at: now,
      updated_at: now,
      ...(body.migrate_options ? { migrate_options: body.migrate_options } : {}),
    };
    await scans.put(state);
    await ctx.queues.enqueue('auditScan', { scan_id, repo_url: repo.url, ref, history: body.history, migrate: body.migrate }, req.id);
    const links = { scan_id, status_url: `/scan/${scan_id}`, report_url: `/scan/${scan_id}/report` };
    const wait = Math.min(body.wait ?? 0, ctx.config.AUDIT_MAX_WAIT_SECONDS);
    if (wait > 0) {
      const deadline = Date.now() + wait * 1000;
      // Stop polling once the client has gone (the scan itself carries on).
      while (Date.now() < deadline && !req.raw.socket.destroyed) {
        const s = await scans.get(scan_id);
        if (s?.status === 'done') {
          const report = await scans.report(scan_id);
          if (report) return reply.status(200).send(report);
        }
        if (s?.status === 'failed') return reply.status(200).send({ ...links, status: 'failed', reason: s.reason });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    return reply.status(202).send({ ...links, status: 'queued' });
  });

  app.get('/scan/:id', { config: { scope: 'scan' }, schema: { tags, summary: 'Scan status and progress', params: ScanIdParams } }, async (req) => {
    const s = await scans.get(req.params.id);
    if (!s) throw notFound(`scan ${req.params.id}`);
    return { ...s, progress: { phase: s.phase, done: s.files_done, total: s.files_total }, report_url: `/scan/${s.scan_id}/report` };
  });

  const loadReport = async (id: string) => {
    const report = await scans.report(id);
    if (report) return report;
    const s = await scans.get(id);
    if (!s) throw notFound(`scan ${id}`);
    throw Object.assign(new Error(s.status === 'failed' ? `scan failed: ${s.reason}` : `scan is ${s.status}; the report is not ready`), {
      statusCode: 409,
      code: s.status === 'failed' ? 'scan_failed' : 'not_ready',
    });
  };

  app.get(
    '/scan/:id/report',
    { config: { scope: 'scan' }, schema: { tags, summary: 'The report: JSON (default), SARIF 2.1.0, Markdown or HTML', params: ScanIdParams, querystring: z.object({ format: z.enum(['json', 'sarif', 'markdown', 'md', 'html']).default('json') }) } },
    async (req, reply) => {
      const report = await loadReport(req.params.id);
      const name = `linkops-${req.params.id}`;
      switch (req.query.format) {
        case 'sarif':
          return reply.header('content-type', 'application/sarif+json').header('content-disposition', `inline; filename="${name}.sarif"`).send(JSON.stringify(toSarif(report)));
        case 'markdown':
        case 'md':
          return reply.header('content-type', 'text/markdown; charset=utf-8').header('content-disposition', `inline; filename="${name}.md"`).send(toMarkdown(report));
        case 'html':
          return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(toHtml(report));
        default:
          return report;
      }
    },
  );

  app.get('/scan/:id/sbom', { config: { scope: 'scan' }, schema: { tags, summary: 'CycloneDX 1.5 SBOM of the dependencies found', params: ScanIdParams } }, async (req, reply) => {
    const report = await loadReport(req.params.id);
    const deps = (report.data.vulns as { dependencies?: { packages?: Package[] } } | undefined)?.dependencies;
    const name = report.repo_url.replace(/\.git$/, '').split('/').filter(Boolean).pop() ?? 'repository';
    return reply.header('content-type', 'application/vnd.cyclonedx+json; version=1.5').send(buildCycloneDx(deps?.packages ?? [], { name, commit: report.commit, repo_url: report.repo_url }));
  });
}
