import { z } from 'zod';

export const RecordSourceSchema = z.enum(['human', 'webscraper', 'agent']);

/** What an engineer (or the scraper, or an agent) submits to whis_data_input. */
export const SubmissionSchema = z
  .object({
    task: z.string().trim().min(1, 'task must not be empty').max(20_000),
    answer: z.string().trim().min(1).max(100_000).optional(),
    solution: z.string().trim().min(1).max(100_000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).default([]),
    domain: z.string().max(64).optional(),
    source: RecordSourceSchema.default('human'),
    confidence: z.number().min(0).max(1).optional(),
    author: z.string().max(200).optional(),
    source_url: z.string().url().max(2048).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((v) => v.answer !== undefined || v.solution !== undefined, {
    message: 'answer (or solution) is required',
    path: ['answer'],
  });
export type Submission = z.infer<typeof SubmissionSchema>;

/** A record as stored in the append-only dataset. `answer` is the canonical name of answer|solution. */
export const TrainingRecordSchema = z.object({
  id: z.string(),
  content_hash: z.string(),
  received_at: z.string(),
  task: z.string(),
  answer: z.string(),
  tags: z.array(z.string()),
  domain: z.string().optional(),
  source: RecordSourceSchema,
  confidence: z.number().optional(),
  author: z.string().optional(),
  source_url: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type TrainingRecord = z.infer<typeof TrainingRecordSchema>;

export const RedactionSchema = z.object({ type: z.string(), placeholder: z.string(), field: z.string() });

export const ActionStepSchema = z.object({
  order: z.number().int(),
  text: z.string(),
  /** Code block content when the step came from a fenced block. */
  code: z.string().optional(),
  language: z.string().optional(),
});
export type ActionStep = z.infer<typeof ActionStepSchema>;

export const ClassificationSchema = z.object({
  domain: z.string(),
  platform: z.string(),
  topic: z.string(),
  confidence: z.number().min(0).max(1),
  evidence: z.array(z.string()),
});
export type Classification = z.infer<typeof ClassificationSchema>;

/** Output of whis_sanitize: clean, redacted, categorized, split into steps. */
export const SanitizedRecordSchema = z.object({
  id: z.string(),
  task: z.string(),
  answer: z.string(),
  tags: z.array(z.string()),
  source: RecordSourceSchema,
  source_url: z.string().optional(),
  classification: ClassificationSchema,
  steps: z.array(ActionStepSchema),
  quality: z.object({ score: z.number().min(0).max(1), reasons: z.array(z.string()) }),
  redactions: z.array(RedactionSchema),
  content_hash: z.string(),
  /** Set when this record is a near-duplicate of an earlier one. */
  variant_of: z.string().optional(),
  /** Context for a re-smith triggered by agent feedback. */
  feedback_context: z.array(z.string()).optional(),
});
export type SanitizedRecord = z.infer<typeof SanitizedRecordSchema>;

export const JourneyStageSchema = z.enum([
  'received',
  'review',
  'approved',
  'sanitized',
  'variant',
  'smithed',
  'enhanced',
  'published',
  'rejected',
  'failed',
]);
export type JourneyStage = z.infer<typeof JourneyStageSchema>;

export const JourneyEventSchema = z.object({
  stage: JourneyStageSchema,
  service: z.string(),
  at: z.string(),
  reason: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type JourneyEvent = z.infer<typeof JourneyEventSchema>;
