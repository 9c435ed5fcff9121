/**
 * Gem::Version order: segments are runs of digits or letters; a letter segment marks a prerelease and
 * sorts before any number; trailing zeros of the release part and of the prerelease part are ignored.
 */
type Segment = number | string;

function segments(version: string): Segment[] {
  // Newer RubyGems treats "-" as ".pre." (1.0.0-rc1 == 1.0.0.pre.rc1).
  const v = version.trim().replace(/-/g, '.pre.');
  const raw: Segment[] = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const firstString = raw.findIndex((s) => typeof s === 'string');
  const parts = firstString < 0 ? [raw] : [raw.slice(0, firstString), raw.slice(firstString)];
  return parts.flatMap((p) => {
    let end = p.length;
    while (end > 0 && p[end - 1] === 0) end--;
    return p.slice(0, end);
  });
}

export function compareRubyGems(a: string, b: string): number {
  const sa = segments(a);
  const sb = segments(b);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const l = sa[i] ?? 0;
    const r = sb[i] ?? 0;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r === 'number') return -1;
    if (typeof l === 'number' && typeof r === 'string') return 1;
    return l < r ? -1 : 1;
  }
  return 0;
}
