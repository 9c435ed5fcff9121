import { z } from 'zod';

/** Output kinds; the first nine match the compliance checks' fixed_by names. */
export const OutputKindSchema = z.enum([
  'dockerfile-new',
  'dockerfile-patch',
  'helm-chart',
  'gitops-layout',
  'argocd',
  'ci-workflow',
  'dependabot',
  'security-policy',
  'workflow-permissions',
  'dockerignore',
  'docs',
]);
export type OutputKind = z.infer<typeof OutputKindSchema>;

export const PlannedServiceSchema = z.object({
  name: z.string(),
  report_name: z.string(),
  path: z.string().nullable(),
  runtime: z.string().nullable(),
  /** charted: chart/overlays generated; skipped: not deployable from source (reason says why). */
  status: z.enum(['charted', 'skipped']),
  reason: z.string().optional(),
  image: z.string().nullable(),
  ports: z.array(z.number().int()),
  health_path: z.string().nullable(),
  dockerfile: z.enum(['existing', 'patched', 'new', 'none']),
});
export type PlannedService = z.infer<typeof PlannedServiceSchema>;

export const PlannedOutputSchema = z.object({
  path: z.string(),
  kind: OutputKindSchema,
  action: z.enum(['create', 'modify']),
  /** Finding fingerprints and/or rule ids (and compliance check ids) this output resolves. */
  resolves: z.array(z.string()),
  description: z.string(),
});
export type PlannedOutput = z.infer<typeof PlannedOutputSchema>;

export const MigrationPlanSchema = z.object({
  layout: z.enum(['helm', 'kustomize']),
  environments: z.array(z.string()),
  project: z.string(),
  repo_url: z.string(),
  target_revision: z.string(),
  services: z.array(PlannedServiceSchema),
  outputs: z.array(PlannedOutputSchema),
  /** Everything not inferred or not carried over; never silently dropped. */
  todo: z.array(z.string()),
});
export type MigrationPlan = z.infer<typeof MigrationPlanSchema>;

export interface MigrationResult {
  /** Path -> full content for every new or modified file. */
  files: Record<string, string>;
  /** One git-style unified diff that `git apply` accepts on the scanned commit. */
  patch: string;
  plan: MigrationPlan;
}
