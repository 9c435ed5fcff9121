import { z } from 'zod';
import { ArtifactKindSchema, ArtifactSchema } from '@linkops/shared/contracts';

const NoticeSchema = z.object({ reason: z.string(), at: z.string() }).nullable().optional();

/** An artifact as whis_logic serves it: the contract plus its publication state. */
export const ServedArtifactSchema = ArtifactSchema.extend({
  published_at: z.string().optional(),
  deprecated: NoticeSchema,
  yanked: NoticeSchema,
});
export type ServedArtifact = z.infer<typeof ServedArtifactSchema>;

export const ServedSummarySchema = ServedArtifactSchema.omit({ content: true });
export type ServedSummary = z.infer<typeof ServedSummarySchema>;

export const ListResponseSchema = z.object({ items: z.array(ServedSummarySchema), total: z.number().int() });
export type ListResponse = z.infer<typeof ListResponseSchema>;

export const VersionInfoSchema = z.looseObject({
  version: z.string(),
  digest: z.string(),
  deprecated: NoticeSchema,
  yanked: NoticeSchema,
});
export type VersionInfo = z.infer<typeof VersionInfoSchema>;

export const SearchHitSchema = z.looseObject({
  id: z.string(),
  kind: ArtifactKindSchema,
  version: z.string(),
  score: z.number(),
  summary: z.string(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const IndexVersionSchema = z.looseObject({
  kind: ArtifactKindSchema,
  version: z.string(),
  digest: z.string(),
  filename: z.string(),
  urls: z.array(z.string()).min(1),
  deprecated: z.boolean().default(false),
  yanked: z.boolean().default(false),
});
export const RegistryIndexSchema = z.looseObject({
  apiVersion: z.string(),
  generated: z.string(),
  entries: z.record(z.string(), z.array(IndexVersionSchema)),
});
export type RegistryIndex = z.infer<typeof RegistryIndexSchema>;

export const ScanStatusSchema = z.looseObject({ status: z.string() });
export type ScanStatus = z.infer<typeof ScanStatusSchema> & { scan_id?: string };
