import { Queue, Worker, UnrecoverableError, type Job, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { QUEUES, deadLetterName, type QueueDef, type QueueKey, type QueuePayload, type QueuePayloadInput } from './queues.js';
import type { QueueCounts, ServiceMetrics } from './metrics.js';

/**
 * Throw from a job handler when retrying cannot help (e.g. an immutable version conflict): the job goes
 * straight to the dead-letter queue with this reason.
 */
export class PermanentJobError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** What a dead letter keeps: the original payload and why it could not be processed. */
export interface DeadLetter {
  job_id: string;
  queue: string;
  reason: string;
  attempts: number;
  failed_at: string;
  payload: unknown;
}

export interface JobContext {
  log: Logger;
  job: Job;
  correlationId: string;
  /** Enqueue follow-up work carrying this job's correlation id. */
  enqueue<K extends QueueKey>(key: K, payload: EnqueueInput<K>): Promise<string>;
}

export type EnqueueInput<K extends QueueKey> = Omit<QueuePayloadInput<K>, 'correlation_id'> & { correlation_id?: string };
export type JobHandler<K extends QueueKey> = (payload: QueuePayload<K>, ctx: JobContext) => Promise<unknown>;

export class QueuePayloadError extends Error {
  constructor(
    readonly queue: string,
    readonly issues: Array<{ field: string; reason: string }>,
  ) {
    super(`invalid payload for ${queue}: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`);
    this.name = 'QueuePayloadError';
  }
}

function validate<S extends z.ZodType>(def: QueueDef<S>, payload: unknown): z.infer<S> {
  const r = def.schema.safeParse(payload);
  if (r.success) return r.data;
  throw new QueuePayloadError(
    def.name,
    r.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(payload)', reason: i.message })),
  );
}

/** BullMQ reserves ':' in custom ids. */
const safeJobId = (id: string) => id.replace(/:/g, '_');

/**
 * The typed queue layer every service uses: producers validate before enqueueing, workers validate on
 * consume, retries back off exponentially, and a job's last failure lands in `<queue>.dlq`.
 */
export class QueueKit {
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    private readonly connection: ConnectionOptions,
    readonly prefix: string,
    private readonly log: Logger,
    private readonly metrics?: ServiceMetrics,
    private readonly workerTiming: { lockDuration?: number; stalledInterval?: number } = {},
  ) {}

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on('error', (err) => this.log.warn({ err: err.message, queue: name }, 'queue connection error'));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue<K extends QueueKey>(key: K, input: EnqueueInput<K>, correlationId?: string): Promise<string> {
    const def = QUEUES[key] as unknown as QueueDef;
    const payload = validate(def, { ...input, correlation_id: input.correlation_id ?? correlationId ?? 'none' }) as QueuePayload<K>;
    const jobId = def.jobId ? safeJobId(def.jobId(payload)) : undefined;
    const job = await this.queue(def.name).add(def.name, payload, {
      ...(jobId ? { jobId } : {}),
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs },
      removeOnComplete: def.dropOnComplete ? true : { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    return String(job.id);
  }

  /** Starts a worker for a declared queue. */
  work<K extends QueueKey>(key: K, handler: JobHandler<K>, opts: { concurrency?: number } = {}): Worker {
    const def = QUEUES[key] as unknown as QueueDef;
    const dlq = this.queue(deadLetterName(def.name));
    const worker = new Worker(
      def.name,
      async (job: Job) => {
        const correlationId = typeof job.data?.correlation_id === 'string' ? job.data.correlation_id : String(job.id);
        const log = this.log.child({ correlation_id: correlationId, queue: def.name, job_id: job.id });
        const started = process.hrtime.bigint();
        const attempts = job.opts.attempts ?? 1;
        const lastAttempt = job.attemptsMade + 1 >= attempts;
        try {
          let payload: QueuePayload<K>;
          try {
            payload = validate(def, job.data) as QueuePayload<K>;
          } catch (err) {
            // A payload that does not validate will never succeed: skip the retries.
            throw new UnrecoverableError((err as Error).message);
          }
          log.info({ attempt: job.attemptsMade + 1 }, 'job started');
          const result = await handler(payload, {
            log,
            job,
            correlationId,
            enqueue: (k, p) => this.enqueue(k, p, correlationId),
          });
          const secs = Number(process.hrtime.bigint() - started) / 1e9;
          this.metrics?.jobDuration.observe({ queue: def.name, outcome: 'completed' }, secs);
          this.metrics?.jobsCompleted.inc({ queue: def.name });
          log.info({ duration_s: Number(secs.toFixed(3)) }, 'job completed');
          return result;
        } catch (err) {
          const secs = Number(process.hrtime.bigint() - started) / 1e9;
          this.metrics?.jobDuration.observe({ queue: def.name, outcome: 'failed' }, secs);
          this.metrics?.jobsFailed.inc({ queue: def.name });
          const reason = (err as Error).message;
          if (lastAttempt || err instanceof UnrecoverableError) {
            const letter: DeadLetter = {
              job_id: String(job.id),
              queue: def.name,
              reason,
              attempts: job.attemptsMade + 1,
              failed_at: new Date().toISOString(),
              payload: job.data,
            };
            await dlq.add('dead-letter', letter, { jobId: safeJobId(String(job.id)), removeOnComplete: true });
            log.error({ reason }, 'job failed for good; moved to dead-letter queue');
          } else {
            log.warn({ reason, attempt: job.attemptsMade + 1, of: attempts }, 'job failed; will retry');
          }
          throw err;
        }
      },
      { connection: this.connection, prefix: this.prefix, concurrency: opts.concurrency ?? 1, ...this.workerTiming },
    );
    worker.on('error', (err) => this.log.warn({ err: err.message, queue: def.name }, 'worker connection error'));
    this.workers.push(worker);
    return worker;
  }

  async counts(name: string): Promise<{ counts: QueueCounts; deadLetters: number }> {
    const c = await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    const d = await this.queue(deadLetterName(name)).getJobCounts('waiting');
    return {
      counts: {
        waiting: c.waiting ?? 0,
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
        completed: c.completed ?? 0,
      },
      deadLetters: d.waiting ?? 0,
    };
  }

  async deadLetters(name: string, offset = 0, limit = 50): Promise<{ total: number; items: DeadLetter[] }> {
    const dlq = this.queue(deadLetterName(name));
    const total = (await dlq.getJobCounts('waiting')).waiting ?? 0;
    const jobs = await dlq.getJobs(['waiting'], offset, offset + limit - 1, true);
    return { total, items: jobs.map((j) => j.data as DeadLetter) };
  }

  /** Puts a dead letter back on its queue (same job id, fresh attempts) and removes it from the DLQ. */
  async redrive(name: string, jobId: string): Promise<boolean> {
    const dlq = this.queue(deadLetterName(name));
    const letterJob = await dlq.getJob(safeJobId(jobId));
    if (!letterJob) return false;
    const letter = letterJob.data as DeadLetter;
    const queue = this.queue(name);
    const original = await queue.getJob(letter.job_id);
    if (original && (await original.isFailed())) {
      await original.retry('failed', { resetAttemptsMade: true });
    } else {
      if (original) await original.remove();
      const def = Object.values(QUEUES).find((q) => q.name === name) as QueueDef | undefined;
      await queue.add(name, letter.payload, {
        jobId: letter.job_id,
        attempts: def?.attempts ?? 3,
        backoff: { type: 'exponential', delay: def?.backoffMs ?? 1000 },
      });
    }
    await letterJob.remove();
    return true;
  }

  /** Waits for in-flight jobs, then closes every worker and queue connection. */
  async close(graceMs: number): Promise<void> {
    const closing = Promise.all(this.workers.map((w) => w.close()));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([closing, timer]);
    // Bounded: with Redis unreachable these would otherwise wait for a reconnect that may never come.
    const bounded = (p: Promise<unknown>) =>
      Promise.race([p.catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, 3000).unref())]);
    await Promise.all(this.workers.map((w) => bounded(w.close(true))));
    await Promise.all([...this.queues.values()].map((q) => bounded(q.close())));
  }
}
