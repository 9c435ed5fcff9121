export { newRecordId, contentHash, canonicalForHash } from './ids.js';
export {
  normalizeSubmission,
  normalizeText,
  stripHtml,
  looksLikeHtml,
  splitFencedSegments,
  extractCodeBlocks,
  type CodeBlock,
  type TextSegment,
} from './normalize.js';
export { detectCodeLanguage, languageFromInfo, CODE_LANGUAGES, type CodeLanguage } from './code-language.js';
export {
  redactPII,
  PII_RULES,
  luhnValid,
  ibanValid,
  placeholderFor,
  type PiiRule,
  type PiiType,
  type Redaction,
  type RedactionResult,
} from './pii.js';
export { redactSecrets, redactBaselineSecrets, secretsEngine, BASELINE_SECRET_RULES } from './secrets-adapter.js';
export { redactAll } from './redact.js';
export { DOMAIN_RULES, type DomainId, type DomainRule, type WeightedTerm, type PlatformHint } from './classify-rules.js';
export { classify, scoreDomains, resolveDomainHint, FALLBACK_CLASSIFICATION, TASK_WEIGHT, type DomainScore } from './classify.js';
export { splitSteps, startsWithActionVerb, ACTION_VERBS } from './steps.js';
export {
  qualityScore,
  looksLikeGibberish,
  DEFAULT_QUALITY_THRESHOLD,
  QUALITY_PENALTIES,
  type QualityResult,
  type QualityInput,
} from './quality.js';
export {
  minhashSignature,
  lshBandKeys,
  estimateJaccard,
  shingles,
  NearDuplicateIndex,
  DEFAULT_NUM_HASHES,
  DEFAULT_BANDS,
  DEFAULT_SHINGLE_WORDS,
  DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  type MinhashOptions,
  type NearDuplicateMatch,
} from './dedup.js';
export { sanitizeRecord, type SanitizeOptions, type SanitizeResult } from './sanitize.js';
export { needsReview, DEFAULT_REVIEW_CONFIDENCE, type ReviewCandidate } from './review.js';
