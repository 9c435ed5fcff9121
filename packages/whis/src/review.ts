import type { RecordSource } from './types.js';

/** Below this classification (or submitter) confidence a record goes to human review. */
export const DEFAULT_REVIEW_CONFIDENCE = 0.5;

export interface ReviewCandidate {
  source: RecordSource;
  /** Submitter-supplied confidence (TrainingRecord). */
  confidence?: number;
  /** Classifier confidence (SanitizedRecord). Takes precedence when both are present. */
  classification?: { confidence: number };
}

/**
 * Why a record needs a human look before it is smithed, or null when it does not:
 * scraped records always do; others when confidence is below the threshold.
 */
export function needsReview(record: ReviewCandidate, opts: { confidenceThreshold?: number } = {}): string | null {
  const threshold = opts.confidenceThreshold ?? DEFAULT_REVIEW_CONFIDENCE;
  if (record.source === 'webscraper') return 'source webscraper: scraped content is reviewed before use';
  const confidence = record.classification?.confidence ?? record.confidence;
  if (confidence !== undefined && confidence < threshold) {
    return `confidence ${confidence.toFixed(2)} below threshold ${threshold.toFixed(2)}`;
  }
  return null;
}
