/**
 * Composer (Packagist) order, after composer/semver's VersionParser::normalize: optional "v" prefix,
 * up to four numeric parts, then a stability suffix dev < alpha < beta < RC < stable < patch with an optional number.
 */
const STABILITY: Record<string, number> = { dev: 0, alpha: 1, a: 1, beta: 2, b: 2, rc: 3, stable: 4, patch: 5, pl: 5, p: 5 };
const VERSION = /^v?(\d+(?:\.\d+){0,3})(?:[._-]?(stable|beta|b|rc|alpha|a|patch|pl|p|dev)(?:[._-]?(\d+))?)?(?:\+.*)?$/i;

interface ComposerVersion {
  numbers: number[];
  stability: number;
  stabilityNumber: number;
}

function parse(v: string): ComposerVersion | null {
  const m = VERSION.exec(v.trim());
  if (!m) return null;
  const numbers = m[1]!.split('.').map(Number);
  while (numbers.length < 4) numbers.push(0);
  return {
    numbers,
    stability: m[2] ? STABILITY[m[2].toLowerCase()]! : STABILITY.stable!,
    stabilityNumber: m[3] ? Number(m[3]) : 0,
  };
}

/** Null when either side is a branch alias (dev-master) or otherwise unparsable: such versions cannot be ordered. */
export function compareComposer(a: string, b: string): number | null {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return null;
  for (let i = 0; i < 4; i++) {
    const d = pa.numbers[i]! - pb.numbers[i]!;
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(pa.stability - pb.stability || pa.stabilityNumber - pb.stabilityNumber);
}
