import type { OsvAdvisory, OsvAffected } from './osv.js';
import { isEcosystem, type Ecosystem } from './types.js';
import { compareVersions, normalizePackageName } from './versions/index.js';

export interface AdvisoryHit {
  advisory: OsvAdvisory;
  /** `fixed` versions of the ranges that contain the installed version (remediation candidates). */
  fixedCandidates: string[];
}

function affectedEntriesFor(advisory: OsvAdvisory, ecosystem: Ecosystem, name: string): OsvAffected[] {
  const wanted = normalizePackageName(ecosystem, name);
  return (advisory.affected ?? []).filter((a) => {
    if (!a.package) return false;
    const eco = a.package.ecosystem.split(':')[0] ?? '';
    return isEcosystem(eco) && eco === ecosystem && normalizePackageName(eco, a.package.name) === wanted;
  });
}

/**
 * Whether `version` of the package is affected by the advisory, per the OSV evaluation rules: explicit
 * `versions` list, or SEMVER/ECOSYSTEM range events read in order as [introduced, fixed) and
 * [introduced, last_affected] intervals (a trailing `introduced` is open-ended). GIT ranges need commits
 * and are ignored; withdrawn advisories never match. Null when not affected.
 */
export function matchAdvisory(advisory: OsvAdvisory, ecosystem: Ecosystem, name: string, version: string): AdvisoryHit | null {
  if (advisory.withdrawn) return null;
  let hit = false;
  const fixedCandidates: string[] = [];
  const cmp = (a: string, b: string): number | null => compareVersions(ecosystem, a, b);
  for (const affected of affectedEntriesFor(advisory, ecosystem, name)) {
    if (affected.versions?.some((v) => v === version || cmp(v, version) === 0)) hit = true;
    for (const range of affected.ranges ?? []) {
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
      let introduced: string | null = null;
      for (const event of range.events ?? []) {
        if (event.introduced !== undefined) {
          introduced = event.introduced;
          continue;
        }
        if (introduced === null) continue;
        const lowOk = cmp(introduced, version);
        if (event.fixed !== undefined) {
          const high = cmp(version, event.fixed);
          if (lowOk !== null && high !== null && lowOk <= 0 && high < 0) {
            hit = true;
            fixedCandidates.push(event.fixed);
          }
          introduced = null;
        } else if (event.last_affected !== undefined) {
          const high = cmp(version, event.last_affected);
          if (lowOk !== null && high !== null && lowOk <= 0 && high <= 0) hit = true;
          introduced = null;
        }
      }
      if (introduced !== null) {
        const lowOk = cmp(introduced, version);
        if (lowOk !== null && lowOk <= 0) hit = true;
      }
    }
  }
  return hit ? { advisory, fixedCandidates } : null;
}

/**
 * The version to upgrade to: the smallest candidate `fixed` version above the installed one that none of the
 * given advisories affects (falling back to the largest candidate when each candidate is itself affected).
 */
export function chooseFixedVersion(
  ecosystem: Ecosystem,
  name: string,
  installed: string,
  hits: readonly AdvisoryHit[],
): string | null {
  const candidates = [...new Set(hits.flatMap((h) => h.fixedCandidates))]
    .filter((v) => (compareVersions(ecosystem, v, installed) ?? 0) > 0)
    .sort((a, b) => compareVersions(ecosystem, a, b) ?? 0);
  if (candidates.length === 0) return null;
  const clean = candidates.find((v) => hits.every((h) => !matchAdvisory(h.advisory, ecosystem, name, v)));
  return clean ?? candidates[candidates.length - 1]!;
}
