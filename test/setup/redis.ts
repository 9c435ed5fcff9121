import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** Uses REDIS_URL when set; otherwise starts a private redis-server on a free port for this run. */
let child: ChildProcess | undefined;
let dir: string | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function ping(port: number): Promise<boolean> {
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(300);
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
    s.connect(port, '127.0.0.1', () => {
      s.write('PING\r\n');
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
    });
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return () => undefined;
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'linkops-test-redis-'));
  child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  child.once('error', (err) => {
    throw new Error(`could not start redis-server for the tests (install it: apt-get install redis-server): ${err.message}`);
  });
  for (let i = 0; i < 100 && !(await ping(port)); i++) await new Promise((r) => setTimeout(r, 50));
  const url = `redis://127.0.0.1:${port}`;
  process.env.REDIS_URL = url;
  project.provide('redisUrl', url);
  return () => {
    child?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
