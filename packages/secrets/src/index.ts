export { scanText, createSecretScanner, engineFor, SECRETS_SCANNER_VERSION, type SecretScanOptions } from './scan.js';
export { scanHistory, type HistoryScanOptions } from './history.js';
export { redact, type Redaction, type RedactOptions } from './redact.js';
export { SecretEngine, fingerprintOf, redactSecret, type RawMatch } from './engine.js';
export { SECRET_RULES } from './rules/index.js';
export { shannonEntropy } from './entropy.js';
export { isPlaceholder } from './placeholders.js';
export { isGloballyAllowlisted } from './paths.js';
export type { SecretRule, RuleAllowlist } from './types.js';
