import semver from 'semver';
import type { Artifact, ArtifactInput } from '@linkops/shared/contracts';
import { parseYamlSafely } from '../yaml-io.js';
import { isRecord, sha256Hex } from '../util.js';

export type VersionChange = 'none' | 'patch' | 'minor' | 'major';

export class ImmutableVersionError extends Error {
  constructor(
    readonly artifactId: string,
    readonly version: string,
  ) {
    super(`${artifactId}@${version} is already published with different content; publish a new version instead`);
    this.name = 'ImmutableVersionError';
  }
}

export const INITIAL_VERSION = '1.0.0';

/** Rune digest: sha256 of the script with its own Version/Digest lines blanked, so the hash is of the logic. */
export function runeDigest(content: string): string {
  return `sha256:${sha256Hex(content.replace(/^(Version|Digest): .*$/gm, '$1: -'))}`;
}

/** Step identities of an artifact: snippet ids (or names) of orb body steps, step function names of a rune. */
export function stepIdentities(artifact: Artifact): string[] {
  if (artifact.meta.kind === 'rune') {
    return [...artifact.content.matchAll(/^def step_\d+_([a-z0-9_]+)\(/gm)].map((m) => m[1] ?? '');
  }
  const parsed = parseYamlSafely(artifact.content);
  if (!parsed.ok || !isRecord(parsed.value) || !isRecord(parsed.value.body)) return [];
  const steps = parsed.value.body.steps;
  if (!Array.isArray(steps)) return [];
  return steps.map((s) => (isRecord(s) ? String(s.snippet ?? s.manual ?? s.name ?? '') : ''));
}

function sameInput(a: ArtifactInput, b: ArtifactInput): boolean {
  return (
    a.type === b.type &&
    a.required === b.required &&
    a.default === b.default &&
    a.secret === b.secret &&
    JSON.stringify(a.options ?? []) === JSON.stringify(b.options ?? [])
  );
}

function multiset(items: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

/**
 * Semver for a re-smith, CircleCI-orb style:
 * - same digest -> 'none' (keep the previous version; callers return the previous artifact as is);
 * - an input removed or changed, a required input without default added, or a step removed -> 'major';
 * - only additions (steps, inputs with defaults or optional) -> 'minor';
 * - anything else that changed the digest -> 'patch'.
 * No previous artifact: version 1.0.0, reported as 'major' (a new major line).
 */
export function nextVersion(previous: Artifact | undefined, candidate: Artifact): { version: string; change: VersionChange } {
  if (!previous) return { version: INITIAL_VERSION, change: 'major' };
  const base = semver.valid(previous.meta.version) ?? INITIAL_VERSION;
  if (previous.meta.digest === candidate.meta.digest) return { version: previous.meta.version, change: 'none' };

  const before = new Map(previous.meta.inputs.map((i) => [i.name, i]));
  const after = new Map(candidate.meta.inputs.map((i) => [i.name, i]));
  let change: VersionChange = 'patch';
  for (const [name, input] of before) {
    const now = after.get(name);
    if (!now || !sameInput(input, now)) change = 'major';
  }
  for (const [name, input] of after) {
    if (before.has(name)) continue;
    if (input.required && input.default === undefined && !input.secret) change = 'major';
    else if (change !== 'major') change = 'minor';
  }
  const stepsBefore = multiset(stepIdentities(previous));
  const stepsAfter = multiset(stepIdentities(candidate));
  for (const [id, n] of stepsBefore) if ((stepsAfter.get(id) ?? 0) < n) change = 'major';
  if (change === 'patch') for (const [id, n] of stepsAfter) if ((stepsBefore.get(id) ?? 0) < n) change = 'minor';

  const version = semver.inc(base, change);
  return { version: version ?? base, change };
}

/** Published versions are immutable: the same id@version must always carry the same digest. */
export function assertImmutable(published: Artifact, candidate: Artifact): void {
  if (
    published.meta.id === candidate.meta.id &&
    published.meta.version === candidate.meta.version &&
    published.meta.digest !== candidate.meta.digest
  ) {
    throw new ImmutableVersionError(published.meta.id, published.meta.version);
  }
}

export function majorOf(version: string): number {
  return semver.major(semver.valid(version) ?? INITIAL_VERSION);
}
