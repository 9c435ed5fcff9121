import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private redis-server for scripts that run outside vitest. */
export class DisposableRedisProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(): Promise<DisposableRedisProcess> {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const p = typeof a === 'object' && a ? a.port : 0;
        s.close(() => res(p));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'linkops-redis-'));
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((res) => {
        const s = createConnection({ port, host: '127.0.0.1' });
        s.once('connect', () => { s.end(); res(true); });
        s.once('error', () => res(false));
      });
      if (ok) return new DisposableRedisProcess(child, dir, `redis://127.0.0.1:${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
