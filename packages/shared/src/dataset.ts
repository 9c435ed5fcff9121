import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from './fsutil.js';

/**
 * Append-only JSONL file with an in-memory index of byte offsets: appends are fsynced before they
 * return (a 2xx after append means the data is on disk); reads seek straight to the line.
 * One writer process per file.
 */
export class JsonlStore<T extends { id: string }> {
  private readonly offsets = new Map<string, { offset: number; length: number }>();
  private size = 0;
  private fh?: FileHandle;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Loads the index; calls `onRecord` for each stored record (to rebuild other indexes). */
  async open(onRecord?: (r: T) => void): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    if (existsSync(this.path)) {
      const buf = readFileSync(this.path);
      let start = 0;
      for (let i = 0; i < buf.length; i++) {
        if (buf[i] !== 0x0a) continue;
        const line = buf.subarray(start, i).toString('utf8');
        try {
          const rec = JSON.parse(line) as T;
          this.offsets.set(rec.id, { offset: start, length: i - start });
          onRecord?.(rec);
        } catch {
          // A torn last line from a crash mid-append: ignore it; the client never got a 2xx for it.
        }
        start = i + 1;
      }
      this.size = start;
    }
    this.fh = await open(this.path, 'a+');
  }

  has(id: string): boolean {
    return this.offsets.has(id);
  }

  get count(): number {
    return this.offsets.size;
  }

  /** Appends records durably (one write + fsync for the whole batch), in order. */
  append(records: T[]): Promise<void> {
    const run = this.chain.then(async () => {
      if (!this.fh) throw new Error('store not open');
      const lines = records.map((r) => `${JSON.stringify(r)}\n`);
      const data = Buffer.from(lines.join(''), 'utf8');
      await this.fh.write(data, 0, data.length, null);
      await this.fh.sync();
      let at = this.size;
      for (let i = 0; i < records.length; i++) {
        const len = Buffer.byteLength(lines[i]!, 'utf8');
        this.offsets.set(records[i]!.id, { offset: at, length: len - 1 });
        at += len;
      }
      this.size = at;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async get(id: string): Promise<T | undefined> {
    const loc = this.offsets.get(id);
    if (!loc || !this.fh) return undefined;
    const buf = Buffer.alloc(loc.length);
    await this.fh.read(buf, 0, loc.length, loc.offset);
    return JSON.parse(buf.toString('utf8')) as T;
  }

  stream(): NodeJS.ReadableStream {
    return existsSync(this.path) ? createReadStream(this.path, { end: Math.max(0, this.size - 1) }) : createReadStream('/dev/null');
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
  }
}

/**
 * Work that must reach a queue even if Redis is down when it is accepted: entries are written to disk
 * first and removed once enqueued; a drain loop retries the rest until Redis is back.
 */
export class Outbox<E extends { key: string }> {
  private pending = new Map<string, E>();
  private draining = false;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly path: string,
    private readonly deliver: (entry: E) => Promise<void>,
  ) {
    if (existsSync(path)) {
      for (const e of JSON.parse(readFileSync(path, 'utf8')) as E[]) this.pending.set(e.key, e);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private persisting: Promise<void> = Promise.resolve();

  /** Writes the pending set; writes are serialised so an older snapshot never lands after a newer one. */
  private persist(): Promise<void> {
    const run = this.persisting.then(() => writeFileAtomic(this.path, JSON.stringify([...this.pending.values()])));
    this.persisting = run.catch(() => undefined);
    return run;
  }

  /** Tries to deliver now (bounded by timeoutMs); on failure keeps the entry durably for the drain loop. */
  async submit(entry: E, timeoutMs: number): Promise<'delivered' | 'queued'> {
    try {
      await Promise.race([this.deliver(entry), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), timeoutMs).unref())]);
      return 'delivered';
    } catch {
      this.pending.set(entry.key, entry);
      await this.persist();
      return 'queued';
    }
  }

  async drain(): Promise<number> {
    if (this.draining || this.pending.size === 0) return 0;
    this.draining = true;
    let n = 0;
    try {
      for (const [key, entry] of [...this.pending]) {
        try {
          await Promise.race([this.deliver(entry), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000).unref())]);
          this.pending.delete(key);
          n++;
        } catch {
          break; // Redis still down: try again on the next tick.
        }
      }
      if (n > 0) await this.persist();
    } finally {
      this.draining = false;
    }
    return n;
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.drain(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
