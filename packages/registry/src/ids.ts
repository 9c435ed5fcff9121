import semver from 'semver';
import type { ArtifactKind } from '@linkops/shared/contracts';
import { InvalidIdError } from './errors.js';

/**
 * Same shape as ArtifactMetaSchema.id, anchored and length-capped. Only [a-z0-9-] and the two dots,
 * so no '/', '\', '%', '..' or NUL can reach a file path.
 */
const ARTIFACT_ID = /^(orb|rune)\.[a-z0-9][a-z0-9-]{0,62}\.[a-z0-9][a-z0-9-]{0,62}$/;
/** File names written into a version directory. */
const FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,199}$/i;

/** Throws InvalidIdError unless `id` is a well-formed artifact id (of `kind`, when given). */
export function assertValidId(id: unknown, kind?: ArtifactKind): asserts id is string {
  if (typeof id !== 'string' || !ARTIFACT_ID.test(id)) {
    throw new InvalidIdError(`invalid artifact id ${JSON.stringify(String(id).slice(0, 200))}`);
  }
  if (kind && !id.startsWith(`${kind}.`)) throw new InvalidIdError(`id ${id} is not a ${kind}`);
}

export function isValidId(id: unknown, kind?: ArtifactKind): id is string {
  try {
    assertValidId(id, kind);
    return true;
  } catch {
    return false;
  }
}

/** Versions are stored as directory names, so only strict, canonical semver is accepted. */
export function assertValidVersion(version: unknown): asserts version is string {
  if (typeof version !== 'string' || version.length > 64 || semver.valid(version) !== version) {
    throw new InvalidIdError(`invalid version ${JSON.stringify(String(version).slice(0, 80))} (want canonical semver, e.g. 1.2.0)`);
  }
}

export function assertValidFileName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !FILE_NAME.test(name) || name.includes('..')) {
    throw new InvalidIdError(`invalid file name ${JSON.stringify(String(name).slice(0, 200))}`);
  }
}

/** Exposed for the ReDoS test. */
export const ID_PATTERNS = { ARTIFACT_ID, FILE_NAME } as const;
