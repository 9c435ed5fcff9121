import { createHash } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// Monotonic so that ids minted in the same millisecond still sort in creation order.
const nextUlid = monotonicFactory();

/** A sortable unique record id: a ULID (48-bit millisecond time + 80 random bits, Crockford base32). */
export function newRecordId(now: Date): string {
  return nextUlid(now.getTime());
}

/** The canonical form content hashes are computed over: NFC, lowercased, whitespace collapsed. */
export function canonicalForHash(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * sha256 (hex) of the canonical task and answer. The NUL separator keeps
 * ("a b", "c") and ("a", "b c") from colliding.
 */
export function contentHash(task: string, answer: string): string {
  return createHash('sha256')
    .update(canonicalForHash(task))
    .update('\u0000')
    .update(canonicalForHash(answer))
    .digest('hex');
}
