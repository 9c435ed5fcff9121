import type { SanitizedRecord, TrainingRecord } from '@linkops/shared/contracts';
import { classify } from './classify.js';
import { normalizeText } from './normalize.js';
import { DEFAULT_QUALITY_THRESHOLD, qualityScore } from './quality.js';
import { redactAll } from './redact.js';
import { splitSteps } from './steps.js';

export interface SanitizeOptions {
  qualityThreshold?: number;
}

export interface SanitizeResult {
  status: 'accepted' | 'rejected';
  sanitized: SanitizedRecord;
  reasons: string[];
}

// Placeholders are not evidence of a domain ("[REDACTED:github-token]" is not about tokens).
const PLACEHOLDER = /\[REDACTED:[\w-]{1,40}\]/g;

/**
 * The whole whis_sanitize stage as one function: normalize -> redact (secrets, then
 * PII) -> classify -> split steps -> quality gate. Deterministic for a given record.
 * Dedup (exact by content_hash, near via NearDuplicateIndex / lshBandKeys) is the
 * caller's, as it needs state; the caller sets `variant_of`.
 * Free-text fields that can carry secrets (tags, source_url) are redacted too;
 * author and metadata are not copied into the sanitized record.
 */
export function sanitizeRecord(record: TrainingRecord, opts: SanitizeOptions = {}): SanitizeResult {
  const threshold = opts.qualityThreshold ?? DEFAULT_QUALITY_THRESHOLD;
  const task = redactAll(normalizeText(record.task));
  const answer = redactAll(normalizeText(record.answer));
  const tags = record.tags.map((tag) => redactAll(tag));
  const sourceUrl = record.source_url !== undefined ? redactAll(record.source_url) : undefined;

  const redactions = [
    ...task.redactions.map((r) => ({ ...r, field: 'task' })),
    ...answer.redactions.map((r) => ({ ...r, field: 'answer' })),
    ...tags.flatMap((t) => t.redactions.map((r) => ({ ...r, field: 'tags' }))),
    ...(sourceUrl?.redactions.map((r) => ({ ...r, field: 'source_url' })) ?? []),
  ];

  const classification = classify(task.text.replace(PLACEHOLDER, ' '), answer.text.replace(PLACEHOLDER, ' '), {
    domainHint: record.domain,
  });
  const steps = splitSteps(answer.text);
  const quality = qualityScore({ task: task.text, answer: answer.text }, [...task.redactions, ...answer.redactions]);
  const reasons = [...quality.reasons];
  if (steps.length === 0) reasons.push('no_steps: no action step could be extracted');
  const accepted = quality.score >= threshold && steps.length > 0;
  if (!accepted && quality.score < threshold) {
    reasons.push(`below_threshold: quality ${quality.score.toFixed(2)} < ${threshold.toFixed(2)}`);
  }

  const sanitized: SanitizedRecord = {
    id: record.id,
    task: task.text,
    answer: answer.text,
    tags: tags.map((t) => t.text),
    source: record.source,
    classification,
    steps,
    quality,
    redactions,
    content_hash: record.content_hash,
  };
  if (sourceUrl !== undefined) sanitized.source_url = sourceUrl.text;
  return { status: accepted ? 'accepted' : 'rejected', sanitized, reasons };
}
