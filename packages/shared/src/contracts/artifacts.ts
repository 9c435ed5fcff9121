import { z } from 'zod';

export const ArtifactKindSchema = z.enum(['orb', 'rune']);
export type ArtifactKind = z.infer<typeof ArtifactKindSchema>;

/** Platforms an orb body can target. `runbook` is the generic ordered-steps fallback. */
export const PlatformSchema = z.enum(['gha', 'argocd', 'helm', 'k8s', 'kustomize', 'docker', 'terraform', 'runbook']);
export type Platform = z.infer<typeof PlatformSchema>;

export const ArtifactInputSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  type: z.enum(['string', 'number', 'boolean', 'enum']),
  required: z.boolean().default(false),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  options: z.array(z.string()).optional(),
  description: z.string().default(''),
  secret: z.boolean().default(false),
});
export type ArtifactInput = z.infer<typeof ArtifactInputSchema>;

export const ArtifactMetaSchema = z.object({
  /** e.g. "orb.gha.security" / "rune.gha.pipeline" — the file name without version and extension. */
  id: z.string().regex(/^(orb|rune)\.[a-z0-9-]+\.[a-z0-9-]+$/),
  kind: ArtifactKindSchema,
  version: z.string(),
  platform: PlatformSchema,
  category: z.string(),
  summary: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  inputs: z.array(ArtifactInputSchema),
  outputs: z.array(z.object({ name: z.string(), description: z.string() })),
  requires: z.object({ tools: z.array(z.string()), permissions: z.array(z.string()) }),
  provenance: z.object({ records: z.array(z.string()), urls: z.array(z.string()) }),
  generator: z.string(),
  digest: z.string(),
  supersedes: z.string().optional(),
});
export type ArtifactMeta = z.infer<typeof ArtifactMetaSchema>;

/** An orb or rune as it travels between smithing, enhance and logic. `content` is the file itself. */
export const ArtifactSchema = z.object({
  meta: ArtifactMetaSchema,
  /** File name, e.g. orb.gha.security.v1.yaml or rune.gha.pipeline.v1.py */
  filename: z.string(),
  content: z.string(),
  quality: z.object({ score: z.number().min(0).max(100), findings: z.array(z.string()) }).optional(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const FeedbackSchema = z.object({
  artifact: z.string().min(1).max(200),
  version: z.string().min(1).max(64),
  outcome: z.enum(['success', 'failure']),
  agent: z.string().min(1).max(200),
  duration_ms: z.number().int().min(0).optional(),
  notes: z.string().max(5000).optional(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;
