import { z } from 'zod';
import { AuditReportSchema } from './audit.js';
import { ArtifactSchema } from './artifacts.js';
import { SanitizedRecordSchema, TrainingRecordSchema } from './whis.js';

/** Every job carries the correlation id of the request that caused it, so each stage logs it. */
const envelope = { correlation_id: z.string().min(1).max(200) };

export const MigrateOptionsSchema = z.object({
  registry: z.string().max(300).default('ghcr.io/example'),
  namespace_prefix: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, 'lowercase letters, digits and dashes').max(40).default(''),
  environments: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(30)).min(1).max(10).default(['dev', 'staging', 'prod']),
  layout: z.enum(['helm', 'kustomize']).default('helm'),
  git_repo_url: z.string().max(2048).optional(),
  target_revision: z.string().max(200).default('HEAD'),
});
export type MigrateOptions = z.infer<typeof MigrateOptionsSchema>;

export const AuditScanJobSchema = z.object({
  ...envelope,
  scan_id: z.string(),
  repo_url: z.string(),
  ref: z.string().nullable().default(null),
  history: z.boolean().default(false),
  migrate: z.boolean().default(false),
});
export const AuditMigrateJobSchema = z.object({
  ...envelope,
  migration_id: z.string(),
  scan_id: z.string().optional(),
  report: AuditReportSchema.optional(),
  options: MigrateOptionsSchema,
});
export const WhisSanitizeJobSchema = z.object({ ...envelope, record: TrainingRecordSchema });
export const WhisSmithJobSchema = z.object({ ...envelope, record: SanitizedRecordSchema });
export const WhisEnhanceJobSchema = z.object({
  ...envelope,
  record_ids: z.array(z.string()),
  artifacts: z.array(ArtifactSchema).min(1),
});
export const WhisPublishJobSchema = z.object({ ...envelope, record_ids: z.array(z.string()), artifact: ArtifactSchema });
export const WhisScrapeJobSchema = z.object({
  ...envelope,
  scrape_id: z.string(),
  urls: z.array(z.string().url()).min(1).max(100),
  max_depth: z.number().int().min(0).max(5).default(1),
  max_pages: z.number().int().min(1).max(500).default(20),
  same_host_only: z.boolean().default(true),
});
