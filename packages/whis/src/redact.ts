import { redactPII, type RedactionResult } from './pii.js';
import { redactSecrets } from './secrets-adapter.js';

/** Secrets (via @linkops/secrets + baseline) first, then PII. Redactions keep type and placeholder only. */
export function redactAll(text: string): RedactionResult {
  const secrets = redactSecrets(text);
  const pii = redactPII(secrets.text);
  return { text: pii.text, redactions: [...secrets.redactions, ...pii.redactions] };
}
