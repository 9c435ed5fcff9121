import { createHash } from 'node:crypto';
import type { Artifact } from '@linkops/shared/contracts';

/** sha256 hex of the artifact file, the digest format the registry computes when none is given. */
export function contentDigest(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** Digest without an algorithm prefix ("sha256:abc" / "sha256-abc" -> "abc"). */
export function bareDigest(digest: string): string {
  return digest.replace(/^sha256[:-]/i, '');
}

/**
 * Strong ETag for one published version. Versions are immutable, so the digest identifies the
 * bytes served for both the JSON and the raw representation.
 */
export function etagFor(artifact: Pick<Artifact, 'meta'>): string {
  return `"sha256-${bareDigest(artifact.meta.digest)}"`;
}

/** True when an If-None-Match header value matches `etag` (handles lists, weak prefixes and '*'). */
export function etagMatches(ifNoneMatch: string | undefined | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}
