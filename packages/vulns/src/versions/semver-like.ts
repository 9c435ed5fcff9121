import semver from 'semver';

/**
 * Loose dotted-version comparison for versions semver rejects (4-part NuGet versions, "1.0" crates).
 * Numeric parts compare numerically, missing parts count as 0, a prerelease tag sorts before the release.
 */
export function compareDotted(a: string, b: string): number {
  const [coreA = '', preA] = splitPre(a);
  const [coreB = '', preB] = splitPre(b);
  const pa = coreA.split('.');
  const pb = coreB.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const c = compareAtom(pa[i] ?? '0', pb[i] ?? '0');
    if (c !== 0) return c;
  }
  if (preA === undefined && preB === undefined) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  const xa = preA.split('.');
  const xb = preB.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const c = compareAtom(xa[i]!, xb[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

function splitPre(v: string): [string, string | undefined] {
  const noBuild = v.split('+')[0] ?? '';
  const i = noBuild.indexOf('-');
  return i < 0 ? [noBuild, undefined] : [noBuild.slice(0, i), noBuild.slice(i + 1).toLowerCase()];
}

function compareAtom(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b) || 0;
  if (na) return -1; // numeric identifiers sort before alphanumeric ones (semver rule)
  if (nb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** semver order (npm, crates.io, NuGet, Go after `v` stripping); falls back to dotted order for non-semver strings. */
export function compareSemver(a: string, b: string): number {
  const va = semver.valid(a, { loose: true });
  const vb = semver.valid(b, { loose: true });
  if (va && vb) return semver.compare(va, vb, { loose: true });
  return compareDotted(a, b);
}

/** NuGet: up to four numeric parts (1.2.3.4), case-insensitive prerelease labels, build metadata ignored. */
export function compareNuGet(a: string, b: string): number {
  return compareDotted(a.toLowerCase(), b.toLowerCase());
}

/** Go modules: semver with a mandatory `v` prefix; pseudo-versions are semver prereleases and sort by timestamp. */
export function compareGo(a: string, b: string): number {
  return compareSemver(stripV(a), stripV(b));
}

export function stripV(v: string): string {
  return v.startsWith('v') ? v.slice(1) : v;
}
