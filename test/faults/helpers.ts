import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { QueueKit, createLogger, createRedis } from '@linkops/shared';
import { FIXTURE_FILES, git } from '../helpers/fixture-repo.js';
import { freePort } from '../helpers/redis.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  /** Parsed JSON log lines so far. */
  lines(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** One service as a real process (`node --import tsx services/<name>/src/main.ts`), its JSON log in a file. */
export async function spawnService(name: string, opts: { env: Record<string, string>; logDir: string; label?: string }): Promise<ServiceProcess> {
  const port = await freePort();
  const logFile = join(opts.logDir, `${opts.label ?? name}-${port}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', join('services', name, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, MODE: 'all', LOG_LEVEL: 'info', ...opts.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const sp: ServiceProcess = {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    logFile,
    exited,
    lines: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${sp.url}/health`, { signal: AbortSignal.timeout(1000) })).ok) return sp;
    } catch {
      /* starting */
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become healthy:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(sp: ServiceProcess, graceMs = 10_000): Promise<void> {
  if (sp.child.exitCode !== null || sp.child.signalCode !== null) return;
  const t = setTimeout(() => sp.kill('SIGKILL'), graceMs);
  sp.kill('SIGTERM');
  await sp.exited;
  clearTimeout(t);
}

/** The fixture repository plus `files` generated source files (so an audit takes a while). */
export function makeBigRepo(dir: string, files: number, linesPerFile = 120): string {
  const words = 'const let function return if else for while import export from class new this await async value result error data config service request response handler'.split(' ');
  let x = 42;
  const next = () => (x = (x * 1103515245 + 12345) & 0x7fffffff);
  for (const [rel, content] of Object.entries(FIXTURE_FILES)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  const exts = ['.js', '.ts', '.py', '.go', '.java', '.md', '.yaml'];
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `services/svc${i % 10}/src/mod${Math.floor(i / 100)}`);
    mkdirSync(sub, { recursive: true });
    const lines: string[] = [];
    for (let l = 0; l < linesPerFile; l++) lines.push(Array.from({ length: 10 }, () => `${words[next() % words.length]}${next() % 1000}`).join(' '));
    writeFileSync(join(sub, `file${i}${exts[i % exts.length]}`), lines.join('\n'));
  }
  git(dir, 'init', '-q', '-b', 'main', '.');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

/** Every file under dir (relative paths), recursively. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      const r = rel ? `${rel}/${e}` : e;
      if (statSync(p).isDirectory()) walk(p, r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out;
}

/** Deletes every Redis key under a queue prefix (tests clean up after themselves). */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } catch {
    /* redis gone: nothing to clean */
  } finally {
    r.disconnect();
  }
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** A QueueKit of the test's own (to inspect and enqueue on a fleet's queues); close() when done. */
export function testQueues(redisUrl: string, prefix: string): { kit: QueueKit; close(): Promise<void> } {
  const conn = createRedis(redisUrl);
  conn.on('error', () => undefined);
  const kit = new QueueKit(conn, prefix, createLogger('fault-test', 'silent'));
  return {
    kit,
    async close() {
      await kit.close(0);
      conn.disconnect();
    },
  };
}
