import type { Package, ParseResult } from '../types.js';
import { pkg } from './util.js';

/** Gemfile.lock: `specs:` of GEM and GIT sections (4-space entries); DEPENDENCIES lists the direct gems. */
export function parseGemfileLock(file: string, content: string): ParseResult {
  const lines = content.split(/\r?\n/);
  const direct = new Set<string>();
  const specs: { name: string; version: string; line: number }[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^[A-Z]/.test(l)) {
      section = l.trim();
      continue;
    }
    if (section === 'DEPENDENCIES') {
      const m = /^ {2}([^\s!(]+)/.exec(l);
      if (m) direct.add(m[1]!);
    } else if (section === 'GEM' || section === 'GIT') {
      const m = /^ {4}([^\s(]+) \(([^)]+)\)$/.exec(l);
      // Platform-specific gems read "nokogiri (1.10.10-x86_64-linux)": the platform is not part of the version.
      if (m) specs.push({ name: m[1]!, version: m[2]!.split('-')[0]!, line: i + 1 });
    }
  }
  if (specs.length === 0 && !/^GEM$/m.test(content)) {
    return { packages: [], warnings: [`${file}: no GEM section, not a Gemfile.lock`] };
  }
  const seen = new Set<string>();
  const packages: Package[] = [];
  for (const s of specs) {
    const key = `${s.name}@${s.version}`;
    if (seen.has(key)) continue; // one entry per platform variant
    seen.add(key);
    packages.push(pkg('RubyGems', s.name, s.version, file, s.line, { direct: direct.has(s.name) }));
  }
  return { packages, warnings: [] };
}
