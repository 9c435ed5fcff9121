import { readFile as fsReadFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  FindingSchema,
  type Finding,
  type ScanContext,
  type Scanner,
  type ScannerFactory,
} from '@linkops/shared/contracts';

export interface EngineRun {
  name: string;
  version: string;
  ran: boolean;
  note?: string;
}

export interface RunScannersInput {
  root: string;
  /** Text files to visit (relative, forward slashes), normally the walk's output. */
  paths: readonly string[];
  scanners: readonly Scanner[];
  onProgress?: (done: number, total: number) => void;
  /** Files read in parallel; the scanners themselves run on the one JS thread. */
  concurrency?: number;
}

export interface RunScannersResult {
  findings: Finding[];
  warnings: string[];
  /** Each scanner's finish() data, keyed by scanner name. */
  data: Record<string, unknown>;
  /** Milliseconds spent inside each scanner (analyze + finish), keyed by scanner name. */
  timings: Record<string, number>;
  engines: EngineRun[];
}

/** Drops later findings with an already seen fingerprint (several rules or engines, one issue). */
export function dedupeByFingerprint(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.fingerprint) ? false : (seen.add(f.fingerprint), true)));
}

/** Scanner findings pass through the contract so one bad scanner cannot break the report schema. */
function acceptFindings(scanner: string, raw: unknown, warnings: string[]): Finding[] {
  if (!Array.isArray(raw)) {
    warnings.push(`${scanner}: returned findings that are not an array`);
    return [];
  }
  const out: Finding[] = [];
  let rejected = 0;
  for (const item of raw) {
    const parsed = FindingSchema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else rejected++;
  }
  if (rejected > 0) warnings.push(`${scanner}: dropped ${rejected} finding(s) that do not match the finding schema`);
  return out;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
}

/**
 * Reads each file once and fans it out to every scanner whose wants() accepts it, then calls each
 * scanner's finish(). A scanner that throws is reported as a warning and the scan continues.
 */
export async function runScanners(input: RunScannersInput): Promise<RunScannersResult> {
  const { root, paths, scanners } = input;
  const warnings: string[] = [];
  const findings: Finding[] = [];
  const data: Record<string, unknown> = {};
  const timings: Record<string, number> = {};
  const failed = new Set<string>();
  const known = new Set(paths);
  for (const s of scanners) timings[s.name] = 0;

  const ctx: ScanContext = {
    root,
    paths,
    async readFile(rel: string) {
      if (!known.has(rel)) return null;
      return fsReadFile(path.join(root, rel), 'utf8').catch(() => null);
    },
  };

  const fail = (scanner: Scanner, where: string, err: unknown) => {
    if (!failed.has(scanner.name)) warnings.push(`${scanner.name}: ${where} failed: ${errorText(err)}`);
    failed.add(scanner.name);
  };

  const visit = async (rel: string) => {
    const wanting = scanners.filter((s) => {
      if (failed.has(s.name)) return false;
      try {
        return s.wants(rel);
      } catch (err) {
        fail(s, 'wants()', err);
        return false;
      }
    });
    if (wanting.length === 0) return;
    const content = await fsReadFile(path.join(root, rel), 'utf8').catch(() => null);
    if (content === null) return;
    const file = { path: rel, content, size: Buffer.byteLength(content) };
    for (const s of wanting) {
      const started = performance.now();
      try {
        findings.push(...acceptFindings(s.name, await s.analyze(file, ctx), warnings));
      } catch (err) {
        fail(s, `analyze(${rel})`, err);
      } finally {
        timings[s.name]! += performance.now() - started;
      }
    }
  };

  const concurrency = Math.max(1, input.concurrency ?? 8);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < paths.length) {
      const rel = paths[next++]!;
      await visit(rel);
      done++;
      if (input.onProgress && (done % 200 === 0 || done === paths.length)) input.onProgress(done, paths.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(paths.length, 1)) }, worker));

  for (const s of scanners) {
    if (!s.finish || failed.has(s.name)) continue;
    const started = performance.now();
    try {
      const out = await s.finish(ctx);
      findings.push(...acceptFindings(s.name, out.findings, warnings));
      for (const w of out.warnings ?? []) warnings.push(`${s.name}: ${w}`);
      if (out.data !== undefined) data[s.name] = out.data;
    } catch (err) {
      fail(s, 'finish()', err);
    } finally {
      timings[s.name]! += performance.now() - started;
    }
  }
  for (const k of Object.keys(timings)) timings[k] = Math.round(timings[k]! * 10) / 10;

  const engines = scanners.map((s) => ({
    name: s.name,
    version: s.version,
    ran: !failed.has(s.name),
    ...(failed.has(s.name) ? { note: 'failed, see warnings' } : {}),
  }));
  return { findings: dedupeByFingerprint(findings), warnings, data, timings, engines };
}

/**
 * Makes fresh scanner instances for one scan. A plain ScannerFactory fits; a provider may also
 * return several scanners (the misconfig engine ships one per file family).
 */
export type ScannerProvider = ScannerFactory | (() => Scanner | Scanner[] | Promise<Scanner | Scanner[]>);

/** Scanner providers plus the engines that could not be loaded (reported as ran:false). */
export interface ScannerFactorySet {
  factories: ScannerProvider[];
  unavailable: EngineRun[];
}

type Loaded = Record<string, unknown>;

async function importOptional(specifier: string): Promise<Loaded> {
  // A variable specifier keeps tsc from requiring the engine packages to exist at type-check time.
  const mod: unknown = await import(specifier);
  return (mod ?? {}) as Loaded;
}

/**
 * The built-in engines (secrets, vulns, misconfig), each loaded on its own so one missing or
 * broken package is reported instead of failing the audit.
 */
export async function defaultScannerFactories(): Promise<ScannerFactorySet> {
  const factories: ScannerProvider[] = [];
  const unavailable: EngineRun[] = [];
  const fn = (mod: Loaded, name: string, specifier: string) => {
    const f = mod[name];
    if (typeof f !== 'function') throw new Error(`${specifier} does not export ${name}`);
    return f as (...args: unknown[]) => unknown;
  };
  const load = async (engine: string, setup: () => Promise<ScannerProvider>) => {
    try {
      factories.push(await setup());
    } catch (err) {
      unavailable.push({ name: engine, version: 'n/a', ran: false, note: `not available: ${errorText(err)}` });
    }
  };
  await load('secrets', async () => {
    const create = fn(await importOptional('@linkops/secrets'), 'createSecretScanner', '@linkops/secrets');
    return () => create() as Scanner;
  });
  await load('vulns', async () => {
    const mod = await importOptional('@linkops/vulns');
    const create = fn(mod, 'createVulnScanner', '@linkops/vulns');
    // The advisory database is loaded once and shared; each scan gets a fresh scanner around it.
    const db = await fn(mod, 'loadOsvDirectory', '@linkops/vulns')();
    return () => create({ db }) as Scanner;
  });
  await load('misconfig', async () => {
    const create = fn(await importOptional('@linkops/misconfig'), 'createMisconfigScanners', '@linkops/misconfig');
    return () => {
      const made = create();
      return Array.isArray(made) ? (made as Scanner[]) : (made as Scanner);
    };
  });
  return { factories, unavailable };
}
