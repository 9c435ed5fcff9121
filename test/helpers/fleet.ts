import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICES } from '../../packages/shared/src/services.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(p));
    });
  });
}

export interface Fleet {
  urls: Record<string, string>;
  dataDir: string;
  redisUrl: string;
  logOf(service: string): string;
  stop(): Promise<void>;
}

/**
 * Boots every service as its own real process on free ports (so tests never clash with a running
 * fleet), each on `redisUrl`, with its JSON log captured to a file.
 */
export async function bootFleet(opts: { redisUrl: string; env?: Record<string, string>; services?: string[] }): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linkops-fleet-'));
  const prefix = `fleet-${process.pid}-${Date.now().toString(36)}`;
  const specs = SERVICES.filter((s) => !opts.services || opts.services.includes(s.name));
  const ports = new Map<string, number>();
  for (const s of specs) ports.set(s.name, await freePort());
  const urls = Object.fromEntries(specs.map((s) => [s.name, `http://127.0.0.1:${ports.get(s.name)}`]));
  const children: ChildProcess[] = [];
  for (const s of specs) {
    const log = join(dataDir, `${s.name}.log`);
    const out = createWriteStream(log);
    const child = spawn(process.execPath, ['--import', 'tsx', join('services', s.name, 'src/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(ports.get(s.name)),
        REDIS_URL: opts.redisUrl,
        DATA_DIR: dataDir,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'info',
        // vitest sets MODE=test for its own use; the services' MODE means something else.
        MODE: 'all',
        DATA_INPUT_URL: urls.whis_data_input ?? 'http://127.0.0.1:8001',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    children.push(child);
  }
  // If the test process dies (e.g. a hook timeout), take the fleet down with it.
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const deadline = Date.now() + 150_000;
  for (const [name, url] of Object.entries(urls)) {
    for (;;) {
      try {
        if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) break;
      } catch {
        /* starting */
      }
      if (Date.now() > deadline) {
        for (const c of children) c.kill('SIGKILL');
        throw new Error(`${name} did not become healthy:\n${readFileSync(join(dataDir, `${name}.log`), 'utf8').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    urls,
    dataDir,
    redisUrl: opts.redisUrl,
    logOf: (service) => readFileSync(join(dataDir, `${service}.log`), 'utf8'),
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((res) => {
              if (c.exitCode !== null) return res();
              const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
              c.once('exit', () => {
                clearTimeout(t);
                res();
              });
              c.kill('SIGTERM');
            }),
        ),
      );
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
