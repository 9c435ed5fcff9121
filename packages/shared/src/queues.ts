import type { z } from 'zod';
import {
  AuditMigrateJobSchema,
  AuditScanJobSchema,
  WhisEnhanceJobSchema,
  WhisPublishJobSchema,
  WhisSanitizeJobSchema,
  WhisScrapeJobSchema,
  WhisSmithJobSchema,
} from './contracts/queues.js';

/**
 * A queue declared once, imported by both ends: the producer validates before enqueueing, the
 * worker validates on consume. `jobId` derives a deterministic id from the payload's natural key
 * so enqueueing the same work twice is a no-op.
 */
export interface QueueDef<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly attempts: number;
  /** First retry delay; doubles each attempt (BullMQ exponential backoff). */
  readonly backoffMs: number;
  readonly jobId?: (payload: z.infer<S>) => string;
  /** Drop the payload from Redis as soon as the job completes (it may hold unredacted text). */
  readonly dropOnComplete?: boolean;
}

function defineQueue<S extends z.ZodType>(def: QueueDef<S>): QueueDef<S> {
  return def;
}

export const QUEUES = {
  auditScan: defineQueue({ name: 'audit.scan', schema: AuditScanJobSchema, attempts: 2, backoffMs: 2000, jobId: (p) => p.scan_id }),
  auditMigrate: defineQueue({ name: 'audit.migrate', schema: AuditMigrateJobSchema, attempts: 3, backoffMs: 1000, jobId: (p) => p.migration_id }),
  whisSanitize: defineQueue({ name: 'whis.sanitize', schema: WhisSanitizeJobSchema, attempts: 5, backoffMs: 500, jobId: (p) => p.record.id, dropOnComplete: true }),
  // Keyed by record and content: a sanitize retry after its enqueue does not smith the record twice.
  whisSmith: defineQueue({ name: 'whis.smith', schema: WhisSmithJobSchema, attempts: 3, backoffMs: 1000, jobId: (p) => `${p.record.id}-${p.record.content_hash.slice(0, 16)}` }),
  whisEnhance: defineQueue({ name: 'whis.enhance', schema: WhisEnhanceJobSchema, attempts: 3, backoffMs: 1000 }),
  whisPublish: defineQueue({
    name: 'whis.publish',
    schema: WhisPublishJobSchema,
    attempts: 5,
    backoffMs: 500,
    jobId: (p) => `${p.artifact.meta.id}@${p.artifact.meta.version}-${p.artifact.meta.digest.slice(0, 16)}`,
  }),
  whisScrape: defineQueue({ name: 'whis.scrape', schema: WhisScrapeJobSchema, attempts: 2, backoffMs: 2000, jobId: (p) => p.scrape_id }),
} as const;

export type QueueKey = keyof typeof QUEUES;
export type QueuePayload<K extends QueueKey> = z.infer<(typeof QUEUES)[K]['schema']>;
export type QueuePayloadInput<K extends QueueKey> = z.input<(typeof QUEUES)[K]['schema']>;

export const ALL_QUEUES: readonly QueueDef[] = Object.values(QUEUES);

/** Where a job goes after its last failed attempt. */
export function deadLetterName(queueName: string): string {
  return `${queueName}.dlq`;
}
