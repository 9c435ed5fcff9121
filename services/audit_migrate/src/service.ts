import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { lstatSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  AuditReportSchema,
  MigrateOptionsSchema,
  badRequest,
  csvList,
  envFlag,
  notFound,
  writeFileAtomic,
  type App,
  type AuditReport,
  type BaseConfig,
  type MigrateOptions,
  type ServiceContext,
  type ServiceDefinition,
} from '@linkops/shared';
import { checkoutCommit, DEFAULT_ALLOWED_HOSTS, RepoUrlError, validateRef, validateRepoUrl } from '@linkops/scan-core';
import { createBundle, generateMigration } from '@linkops/migrate';

const ConfigSchema = z.object({
  AUDIT_ALLOW_LOCAL: envFlag(false),
  AUDIT_ALLOWED_HOSTS: csvList([...DEFAULT_ALLOWED_HOSTS]),
  AUDIT_CLONE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  AUDIT_MAX_REPO_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024),
});
type Config = z.infer<typeof ConfigSchema> & BaseConfig;

/** Repository files the generator reads are small text (Dockerfiles, manifests, workflows). */
const MAX_REPO_FILE_BYTES = 2 * 1024 * 1024;

const MigrationIdParams = z.object({ id: z.string().regex(/^mig_[a-z0-9]{10,40}$/, 'not a migration id') });
const MigrateBody = z
  .object({
    scan_id: z.string().regex(/^scan_[a-z0-9]{10,40}$/, 'not a scan id').optional(),
    report: AuditReportSchema.optional(),
    options: MigrateOptionsSchema.default(MigrateOptionsSchema.parse({})),
  })
  .refine((b) => Boolean(b.scan_id) !== Boolean(b.report), { message: 'give exactly one of scan_id or report', path: ['scan_id'] });

interface MigrationState {
  migration_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  scan_id?: string;
  created_at: string;
  updated_at: string;
  reason?: string;
  plan?: unknown;
  files?: number;
}

class Migrations {
  readonly dir: string;
  constructor(readonly ctx: ServiceContext<Config>) {
    this.dir = join(ctx.dataDir, 'audit_migrate');
    mkdirSync(this.dir, { recursive: true });
  }
  key(id: string) {
    return `${this.ctx.config.QUEUE_PREFIX}:migration:${id}`;
  }
  async get(id: string): Promise<MigrationState | null> {
    const raw = await this.ctx.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as MigrationState) : null;
  }
  async put(s: MigrationState) {
    await this.ctx.redis.set(this.key(s.migration_id), JSON.stringify({ ...s, updated_at: new Date().toISOString() }), 'EX', 30 * 24 * 3600);
  }
  async update(id: string, patch: Partial<MigrationState>) {
    const s = (await this.get(id)) ?? { migration_id: id, status: 'queued' as const, created_at: new Date().toISOString(), updated_at: '' };
    await this.put({ ...s, ...patch });
  }
  path(id: string, file: string) {
    return join(this.dir, id, file);
  }
  /** Reports written by audit_assess into the shared data dir. */
  async scanReport(scanId: string): Promise<AuditReport | null> {
    const p = resolve(this.ctx.dataDir, 'audit_assess', 'reports', `${scanId}.json`);
    if (!p.startsWith(resolve(this.ctx.dataDir) + sep)) return null;
    try {
      return AuditReportSchema.parse(JSON.parse(await readFile(p, 'utf8')));
    } catch {
      return null;
    }
  }
}

const byCtx = new WeakMap<object, Migrations>();
const migrationsFor = (ctx: ServiceContext<Config>) => {
  let m = byCtx.get(ctx);
  if (!m) byCtx.set(ctx, (m = new Migrations(ctx)));
  return m;
};

/** Checks out the scanned commit so patches apply exactly to what was audited. */
function checkoutScannedCommit(ctx: ServiceContext<Config>, report: AuditReport) {
  const tmpRoot = join(tmpdir(), 'linkops-migrate');
  mkdirSync(tmpRoot, { recursive: true });
  return checkoutCommit(report.repo_url, report.commit, report.ref, {
    allowLocal: ctx.config.AUDIT_ALLOW_LOCAL,
    allowedHosts: ctx.config.AUDIT_ALLOWED_HOSTS,
    tmpRoot,
    timeoutMs: ctx.config.AUDIT_CLONE_TIMEOUT_MS,
    maxBytes: ctx.config.AUDIT_MAX_REPO_BYTES,
  });
}

export const service: ServiceDefinition<typeof ConfigSchema> = {
  name: 'audit_migrate',
  configSchema: ConfigSchema,
  routes(app, ctx) {
    registerRoutes(app, ctx, migrationsFor(ctx));
  },
  workers(ctx) {
    const migrations = migrationsFor(ctx);
    ctx.queues.work('auditMigrate', async (job, jc) => {
      const id = job.migration_id;
      await migrations.update(id, { status: 'running', scan_id: job.scan_id });
      try {
        const report = job.report ?? (job.scan_id ? await migrations.scanReport(job.scan_id) : null);
        if (!report) throw new Error(`no report for scan ${job.scan_id}`);
        const clone = await checkoutScannedCommit(ctx, report);
        try {
          const root = realpathSync(clone.dir);
          // Paths come from the report (which a caller may post): never leave the checkout, and never
          // follow a symlink the repository planted (a Dockerfile -> /etc/passwd would end up in the patch).
          const readRepoFile = (rel: string): string | null => {
            const p = resolve(root, rel);
            if (!p.startsWith(root + sep)) return null;
            try {
              if (realpathSync(p) !== p) return null;
              const st = lstatSync(p);
              if (!st.isFile() || st.size > MAX_REPO_FILE_BYTES) return null;
              return readFileSync(p, 'utf8');
            } catch {
              return null;
            }
          };
          const result = generateMigration(report, job.options as MigrateOptions, readRepoFile);
          await writeFileAtomic(migrations.path(id, 'files.json'), JSON.stringify(result.files));
          await writeFileAtomic(migrations.path(id, 'migration.patch'), result.patch);
          await writeFileAtomic(migrations.path(id, 'bundle.tar.gz'), await createBundle(result.files));
          await migrations.update(id, { status: 'done', plan: result.plan, files: Object.keys(result.files).length });
          jc.log.info({ migration_id: id, files: Object.keys(result.files).length }, 'migration generated');
        } finally {
          await clone.cleanup();
        }
      } catch (err) {
        await migrations.update(id, { status: 'failed', reason: (err as Error).message });
        jc.log.warn({ migration_id: id, reason: (err as Error).message }, 'migration failed');
      }
    });
  },
};

/**
 * A posted report names what the worker will clone: refuse, before queueing, a location or ref the
 * audit service itself would refuse (so the caller gets a 400 naming the field, not a failed job).
 */
async function checkPostedReport(ctx: ServiceContext<Config>, report: AuditReport): Promise<void> {
  const problem = (field: string, reason: string, code: string) => badRequest(`${field}: ${reason}`, { field, reason, code });
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(report.commit)) throw problem('body.report.commit', 'must be a full commit hash', 'invalid_commit');
  try {
    if (report.ref !== null) validateRef(report.ref);
  } catch (err) {
    if (err instanceof RepoUrlError) throw problem('body.report.ref', err.reason, err.code);
    throw err;
  }
  try {
    await validateRepoUrl(report.repo_url, { allowLocal: ctx.config.AUDIT_ALLOW_LOCAL, allowedHosts: ctx.config.AUDIT_ALLOWED_HOSTS });
  } catch (err) {
    if (err instanceof RepoUrlError) throw problem('body.report.repo_url', err.reason, err.code);
    throw err;
  }
}

function registerRoutes(app: App, ctx: ServiceContext<Config>, migrations: Migrations) {
  const tags = ['migrate'];
  app.post('/migrate', { config: { scope: 'migrate' }, schema: { tags, summary: 'Generate Helm charts, Dockerfile patches, GitOps layout and Argo CD manifests from an audit', body: MigrateBody } }, async (req, reply) => {
    const { scan_id, report, options } = req.body;
    if (scan_id && !(await migrations.scanReport(scan_id))) throw badRequest(`scan ${scan_id} has no finished report`, { field: 'body.scan_id', reason: 'unknown or unfinished scan' });
    if (report) await checkPostedReport(ctx, report);
    const migration_id = `mig_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    const now = new Date().toISOString();
    await migrations.put({ migration_id, status: 'queued', ...(scan_id ? { scan_id } : {}), created_at: now, updated_at: now });
    await ctx.queues.enqueue('auditMigrate', { migration_id, ...(scan_id ? { scan_id } : {}), ...(report ? { report } : {}), options }, req.id);
    return reply.status(202).send({ migration_id, status: 'queued', status_url: `/migrate/${migration_id}`, patch_url: `/migrate/${migration_id}/patch` });
  });

  app.get('/migrate/:id', { config: { scope: 'migrate' }, schema: { tags, summary: 'Migration status and plan', params: MigrationIdParams } }, async (req) => {
    const s = await migrations.get(req.params.id);
    if (!s) throw notFound(`migration ${req.params.id}`);
    return s;
  });

  const ready = async (id: string) => {
    const s = await migrations.get(id);
    if (!s) throw notFound(`migration ${id}`);
    if (s.status !== 'done') throw Object.assign(new Error(s.status === 'failed' ? `migration failed: ${s.reason}` : `migration is ${s.status}`), { statusCode: 409, code: s.status === 'failed' ? 'migration_failed' : 'not_ready' });
  };
  app.get('/migrate/:id/files', { config: { scope: 'migrate' }, schema: { tags, summary: 'Generated files (path -> content)', params: MigrationIdParams } }, async (req, reply) => {
    await ready(req.params.id);
    return reply.header('content-type', 'application/json').send(await readFile(migrations.path(req.params.id, 'files.json')));
  });
  app.get('/migrate/:id/patch', { config: { scope: 'migrate' }, schema: { tags, summary: 'One patch for `git apply` on the scanned commit', params: MigrationIdParams } }, async (req, reply) => {
    await ready(req.params.id);
    return reply.header('content-type', 'text/x-diff; charset=utf-8').header('content-disposition', `attachment; filename="${req.params.id}.patch"`).send(await readFile(migrations.path(req.params.id, 'migration.patch')));
  });
  app.get('/migrate/:id/bundle.tar.gz', { config: { scope: 'migrate' }, schema: { tags, summary: 'Generated files as a .tar.gz', params: MigrationIdParams } }, async (req, reply) => {
    await ready(req.params.id);
    return reply.header('content-type', 'application/gzip').header('content-disposition', `attachment; filename="${req.params.id}.tar.gz"`).send(await readFile(migrations.path(req.params.id, 'bundle.tar.gz')));
  });
}
