import { z } from 'zod';
import { FindingSchema, SeveritySchema } from './finding.js';

export const REPORT_SCHEMA_VERSION = '1.0.0';

export const LanguageShareSchema = z.object({ language: z.string(), bytes: z.number().int(), share: z.number() });

/** Delivery assets already present for a service (paths relative to the repository root). */
export const ServiceAssetsSchema = z.object({
  dockerfile: z.string().nullable(),
  compose: z.array(z.string()),
  kubernetes: z.array(z.string()),
  helm: z.array(z.string()),
  kustomize: z.array(z.string()),
  gitops: z.array(z.string()),
  ci: z.array(z.string()),
});

/** One deployable unit found in the repository (a directory with a build manifest, or a compose service). */
export const ServiceInfoSchema = z.object({
  name: z.string(),
  /** Directory relative to the repository root ('.' for the root); null for image-only compose services. */
  path: z.string().nullable(),
  languages: z.array(LanguageShareSchema),
  /** Primary runtime: node, python, go, java, ruby, php, dotnet, rust, or 'image' for compose image-only. */
  runtime: z.string().nullable(),
  frameworks: z.array(z.string()),
  entrypoint: z.string().nullable(),
  ports: z.array(z.number().int()),
  /** Backing services it needs: redis, postgres, mysql, mongo, kafka, rabbitmq, ... */
  infrastructure: z.array(z.string()),
  depends_on: z.array(z.string()),
  /** Environment variable names (values are never copied into the report). */
  env: z.array(z.string()),
  /** Compose image when the service is not built from source. */
  image: z.string().nullable(),
  health_path: z.string().nullable(),
  assets: ServiceAssetsSchema,
  /** What could not be inferred or carried over (bind mounts, env files, ...). */
  notes: z.array(z.string()),
});
export type ServiceInfo = z.infer<typeof ServiceInfoSchema>;

export const ServiceEdgeSchema = z.object({ from: z.string(), to: z.string(), via: z.string() });

export const RiskSchema = z.enum(['critical', 'high', 'medium', 'low']);
export const RISK_WEIGHT = { critical: 10, high: 7.5, medium: 5, low: 2.5 } as const;

/** One GitOps compliance check in the spirit of OpenSSF Scorecard. score null = not applicable. */
export const ComplianceCheckSchema = z.object({
  id: z.string(),
  title: z.string(),
  risk: RiskSchema,
  weight: z.number(),
  score: z.number().min(0).max(10).nullable(),
  reason: z.string(),
  evidence: z.array(z.string()),
  remediation: z.string(),
  /** Which audit_migrate outputs fix it (e.g. "helm-chart", "argocd", "dockerfile-patch", "ci-workflow"). */
  fixed_by: z.array(z.string()),
});
export type ComplianceCheck = z.infer<typeof ComplianceCheckSchema>;

export const EngineRunSchema = z.object({
  name: z.string(),
  version: z.string(),
  ran: z.boolean(),
  note: z.string().optional(),
});

export const AuditReportSchema = z.object({
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  scan_id: z.string(),
  repo_url: z.string(),
  ref: z.string().nullable(),
  commit: z.string(),
  created_at: z.string(),
  engines: z.array(EngineRunSchema),
  timings: z.record(z.string(), z.number()),
  inventory: z.object({
    files: z.number().int(),
    bytes: z.number().int(),
    skipped: z.record(z.string(), z.number().int()),
    languages: z.array(LanguageShareSchema),
  }),
  services: z.array(ServiceInfoSchema),
  edges: z.array(ServiceEdgeSchema),
  score: z.number().min(0).max(100),
  checks: z.array(ComplianceCheckSchema),
  summary: z.object({
    total: z.number().int(),
    by_severity: z.record(SeveritySchema, z.number().int()),
    by_scanner: z.record(z.string(), z.number().int()),
  }),
  findings: z.array(FindingSchema),
  warnings: z.array(z.string()),
  /** Scanner-specific sections (e.g. dependencies: {packages, database}). */
  data: z.record(z.string(), z.unknown()),
});
export type AuditReport = z.infer<typeof AuditReportSchema>;
