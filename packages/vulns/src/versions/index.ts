import * as pep440 from '@renovatebot/pep440';
import type { Ecosystem } from '../types.js';
import { compareComposer } from './composer.js';
import { compareMaven } from './maven.js';
import { compareRubyGems } from './rubygems.js';
import { compareGo, compareNuGet, compareSemver } from './semver-like.js';

export { compareMaven } from './maven.js';
export { compareRubyGems } from './rubygems.js';
export { compareComposer } from './composer.js';
export { compareSemver, compareGo, compareNuGet, compareDotted } from './semver-like.js';

/** PEP 440 order; null when either side is not a valid PEP 440 version (such advisories cannot be range-matched). */
export function comparePep440(a: string, b: string): number | null {
  if (!pep440.valid(a) || !pep440.valid(b)) return null;
  return pep440.compare(a, b);
}

/**
 * Compares two versions under the ecosystem's own rules. Returns <0, 0, >0, or null when the versions
 * cannot be ordered (invalid for the ecosystem). The OSV sentinel "0" sorts before every version.
 */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number | null {
  if (a === b) return 0;
  if (a === '0') return -1;
  if (b === '0') return 1;
  switch (ecosystem) {
    case 'PyPI':
      return comparePep440(a, b);
    case 'Go':
      return compareGo(a, b);
    case 'Maven':
      return compareMaven(a, b);
    case 'RubyGems':
      return compareRubyGems(a, b);
    case 'Packagist':
      return compareComposer(a, b);
    case 'NuGet':
      return compareNuGet(a, b);
    case 'npm':
    case 'crates.io':
      return compareSemver(a, b);
  }
}

/** Package-name normalization used for advisory lookups (PEP 503 for PyPI, case-folding where the registry ignores case). */
export function normalizePackageName(ecosystem: Ecosystem, name: string): string {
  switch (ecosystem) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'Go':
    case 'RubyGems':
      return name; // case-sensitive module paths / gem names
    default:
      return name.toLowerCase();
  }
}
