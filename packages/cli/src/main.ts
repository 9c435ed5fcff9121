import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditReportSchema, MigrateOptionsSchema, SeveritySchema, type AuditReport } from '@linkops/shared/contracts';
import { checkoutCommit } from '@linkops/scan-core';
import { createBundle, generateMigration } from '@linkops/migrate';
import { LinkOpsClient, LinkOpsHttpError } from '@linkops/client';
import { auditLocally, auditRemotely, formatReport, shouldFail, type AuditFormat } from './audit.js';

export const USAGE = `linkops — repository audits, GitOps migrations and Whis artifacts

  linkops audit <url|path> [--format table|json|sarif|md|html] [--fail-on critical|high|medium|low|none]
                           [--output FILE] [--ref REF] [--history] [--server URL]
      Audits in-process (or on an audit_assess server with --server). Exits 1 when a finding at or
      above --fail-on exists (default: none), 2 on bad usage, 3 when the audit itself fails.
  linkops migrate <scan-id|report.json> --out DIR [--layout helm|kustomize] [--registry R]
                           [--environments dev,staging,prod] [--server URL]
      Writes the generated files, migration.patch and bundle.tar.gz into DIR.
  linkops whis submit <file.jsonl> [--server URL]       submit task/answer pairs to whis_data_input
  linkops orbs search <query> [--platform P] [--server URL]
  linkops orbs get <id>[@range] [--raw] [--server URL]  (runes: an id starting with rune.)

  --token T (or LINKOPS_TOKEN) sends an API key. Servers default to http://127.0.0.1:<port>.`;

class UsageError extends Error {}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

export async function main(argv: string[]): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    switch (cmd) {
      case 'audit':
        return await audit(rest);
      case 'migrate':
        return await migrate(rest);
      case 'whis':
        return await whis(rest);
      case 'orbs':
        return await orbs(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(USAGE);
        return cmd ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`linkops: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof LinkOpsHttpError) {
      err(`linkops: server answered ${e.status} ${e.code}: ${e.message}`);
      return 3;
    }
    err(`linkops: ${(e as Error).message}`);
    return 3;
  }
}

const common = { server: { type: 'string' }, token: { type: 'string' } } as const;

async function audit(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, format: { type: 'string', default: 'table' }, 'fail-on': { type: 'string', default: 'none' }, output: { type: 'string', short: 'o' }, ref: { type: 'string' }, history: { type: 'boolean', default: false } },
  });
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new UsageError('audit takes one repository URL or path');
  const format = values.format as AuditFormat;
  if (!['table', 'json', 'sarif', 'md', 'html'].includes(format)) throw new UsageError(`--format must be table, json, sarif, md or html (got ${format})`);
  const failOn = values['fail-on'];
  if (failOn !== 'none' && !SeveritySchema.safeParse(failOn).success) throw new UsageError(`--fail-on must be critical, high, medium, low, info or none (got ${failOn})`);
  const token = values.token ?? process.env.LINKOPS_TOKEN;
  const report = values.server
    ? await auditRemotely(target, values.server, { ...(values.ref ? { ref: values.ref } : {}), ...(token ? { token } : {}) })
    : await auditLocally(target, { ...(values.ref ? { ref: values.ref } : {}), history: values.history });
  const text = formatReport(report, format);
  if (values.output) writeFileSync(values.output, text);
  else out(text);
  const fail = shouldFail(report, failOn as 'none');
  if (fail) err(`linkops: findings at or above "${failOn}" (${report.summary.total} findings, score ${report.score})`);
  return fail ? 1 : 0;
}

async function migrate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, out: { type: 'string' }, layout: { type: 'string' }, registry: { type: 'string' }, environments: { type: 'string' } },
  });
  const source = positionals[0];
  if (!source || !values.out) throw new UsageError('migrate needs <scan-id|report.json> and --out DIR');
  const options = MigrateOptionsSchema.parse({
    ...(values.layout ? { layout: values.layout } : {}),
    ...(values.registry ? { registry: values.registry } : {}),
    ...(values.environments ? { environments: values.environments.split(',').map((s) => s.trim()) } : {}),
  });
  const dir = resolve(values.out);
  let files: Record<string, string>;
  let patch: string;
  if (/^scan_[a-z0-9]+$/.test(source)) {
    const base = values.server ?? 'http://127.0.0.1:8004';
    const token = values.token ?? process.env.LINKOPS_TOKEN;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const started = await fetch(`${base}/migrate`, { method: 'POST', headers, body: JSON.stringify({ scan_id: source, options }) });
    if (!started.ok) throw new Error(`POST /migrate answered ${started.status}: ${await started.text()}`);
    const { migration_id } = (await started.json()) as { migration_id: string };
    for (let i = 0; ; i++) {
      const s = (await (await fetch(`${base}/migrate/${migration_id}`, { headers })).json()) as { status: string; reason?: string };
      if (s.status === 'done') break;
      if (s.status === 'failed') throw new Error(`migration failed: ${s.reason}`);
      if (i > 600) throw new Error('migration did not finish within 10 minutes');
      await new Promise((r) => setTimeout(r, 1000));
    }
    files = (await (await fetch(`${base}/migrate/${migration_id}/files`, { headers })).json()) as Record<string, string>;
    patch = await (await fetch(`${base}/migrate/${migration_id}/patch`, { headers })).text();
  } else {
    const report: AuditReport = AuditReportSchema.parse(JSON.parse(readFileSync(source, 'utf8')));
    const tmpRoot = join(tmpdir(), 'linkops-cli');
    mkdirSync(tmpRoot, { recursive: true });
    const clone = await checkoutCommit(report.repo_url, report.commit, report.ref, { allowLocal: true, tmpRoot, timeoutMs: 300_000, maxBytes: 2 * 1024 ** 3 });
    try {
      const result = generateMigration(report, options, (rel) => {
        const p = resolve(clone.dir, rel);
        if (!p.startsWith(resolve(clone.dir) + sep)) return null;
        try {
          return readFileSync(p, 'utf8');
        } catch {
          return null;
        }
      });
      files = result.files;
      patch = result.patch;
    } finally {
      await clone.cleanup();
    }
  }
  for (const [rel, content] of Object.entries(files)) {
    const p = resolve(dir, 'files', rel);
    if (!p.startsWith(resolve(dir, 'files') + sep)) throw new Error(`refusing to write outside ${dir}: ${rel}`);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.patch'), patch);
  writeFileSync(join(dir, 'bundle.tar.gz'), await createBundle(files));
  out(`wrote ${Object.keys(files).length} files under ${join(dir, 'files')}, ${join(dir, 'migration.patch')} and bundle.tar.gz`);
  out(`apply with: git apply ${join(dir, 'migration.patch')}`);
  return 0;
}

async function whis(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'submit') throw new UsageError('whis supports: submit <file.jsonl>');
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...common } });
  const file = positionals[0];
  if (!file) throw new UsageError('whis submit needs a JSONL file');
  const base = values.server ?? 'http://127.0.0.1:8001';
  const token = values.token ?? process.env.LINKOPS_TOKEN;
  const res = await fetch(`${base}/data/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: readFileSync(file, 'utf8'),
  });
  const body = (await res.json()) as { accepted?: number; duplicates?: number; review?: number; error?: { message: string } };
  if (!res.ok) throw new Error(`whis_data_input answered ${res.status}: ${body.error?.message ?? ''}`);
  out(`accepted ${body.accepted}, duplicates ${body.duplicates}, held for review ${body.review}`);
  return 0;
}

async function orbs(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...common, platform: { type: 'string' }, raw: { type: 'boolean', default: false } } });
  const client = new LinkOpsClient({ logicUrl: values.server ?? 'http://127.0.0.1:8013', ...((values.token ?? process.env.LINKOPS_TOKEN) ? { token: values.token ?? process.env.LINKOPS_TOKEN } : {}) });
  if (sub === 'search') {
    const q = positionals.join(' ');
    if (!q) throw new UsageError('orbs search needs a query');
    const hits = await client.search(q, values.platform ? { platform: values.platform } : {});
    if (hits.length === 0) out('no matches');
    for (const h of hits) out(`${h.id}@${h.version}  ${h.score.toFixed(2)}  ${h.summary}`);
    return 0;
  }
  if (sub === 'get') {
    const spec = positionals[0];
    if (!spec) throw new UsageError('orbs get needs <id>[@range]');
    const [id, range] = spec.split('@') as [string, string | undefined];
    const isRune = id.startsWith('rune.');
    if (values.raw) {
      const file = isRune ? await client.getRuneFile(id, range) : await client.getOrbFile(id, range);
      out(file.content);
    } else {
      const a = isRune ? await client.getRune(id, range) : await client.getOrb(id, range);
      out(JSON.stringify(a, null, 2));
    }
    return 0;
  }
  throw new UsageError('orbs supports: search <query>, get <id>[@range]');
}
