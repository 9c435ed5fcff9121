import { createHash } from 'node:crypto';
import { FindingSchema, severityRank, type Finding, type Severity } from '@linkops/shared/contracts';
import { cvss3BaseScore, severityFromLabel, severityFromScore } from './cvss.js';
import type { AdvisoryDatabase } from './database.js';
import { chooseFixedVersion, matchAdvisory, type AdvisoryHit } from './match.js';
import type { OsvAdvisory } from './osv.js';
import type { Package } from './types.js';

export const SCANNER_NAME = 'vulns';

/** Groups hits that describe the same vulnerability (GHSA <-> PYSEC <-> CVE through ids and aliases). */
export function groupByAlias(hits: readonly AdvisoryHit[]): AdvisoryHit[][] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<string, number>();
  hits.forEach((h, i) => {
    for (const id of [h.advisory.id, ...(h.advisory.aliases ?? [])]) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, AdvisoryHit[]>();
  hits.forEach((h, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(h);
    else groups.set(root, [h]);
  });
  return [...groups.values()];
}

/** GHSA ids are the cross-ecosystem identifiers most tools key on; otherwise the first record id. */
function primaryAdvisory(group: readonly AdvisoryHit[]): OsvAdvisory {
  const sorted = [...group].map((h) => h.advisory).sort((a, b) => a.id.localeCompare(b.id));
  return sorted.find((a) => a.id.startsWith('GHSA-')) ?? sorted[0]!;
}

export interface CvssInfo {
  vector: string;
  score: number;
}

function bestCvss(advisories: readonly OsvAdvisory[]): CvssInfo | null {
  let best: CvssInfo | null = null;
  for (const a of advisories) {
    const severities = [...(a.severity ?? []), ...(a.affected ?? []).flatMap((x) => x.severity ?? [])];
    for (const s of severities) {
      if (s.type !== 'CVSS_V3') continue;
      const score = cvss3BaseScore(s.score);
      if (score !== null && (!best || score > best.score)) best = { vector: s.score, score };
    }
  }
  return best;
}

/**
 * Severity: the advisory database's own rating (GitHub's database_specific.severity) when present, else the
 * CVSS v3 base score computed from the vector; unrated advisories count as medium.
 */
export function advisorySeverity(advisories: readonly OsvAdvisory[]): { severity: Severity; cvss: CvssInfo | null; rated: boolean } {
  const cvss = bestCvss(advisories);
  let labelled: Severity | null = null;
  for (const a of advisories) {
    const label = a.database_specific?.severity;
    const s = typeof label === 'string' ? severityFromLabel(label) : null;
    if (s && (!labelled || severityRank(s) > severityRank(labelled))) labelled = s;
  }
  if (labelled) return { severity: labelled, cvss, rated: true };
  if (cvss) return { severity: severityFromScore(cvss.score), cvss, rated: true };
  return { severity: 'medium', cvss: null, rated: false };
}

function cweIds(advisories: readonly OsvAdvisory[]): string[] {
  return advisories.flatMap((a) => {
    const ids = a.database_specific?.cwe_ids;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  });
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n').find((l) => l.trim()) ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line.trim();
}

export function fingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** One finding for one package and one vulnerability (all aliased records merged). */
export function buildFinding(p: Package, group: readonly AdvisoryHit[]): Finding {
  const primary = primaryAdvisory(group);
  const advisories = group.map((h) => h.advisory);
  const ids = [primary.id, ...advisories.map((a) => a.id).filter((id) => id !== primary.id).sort()];
  const aliases = [...new Set(advisories.flatMap((a) => [a.id, ...(a.aliases ?? [])]))].filter((id) => id !== primary.id).sort();
  const { severity, cvss, rated } = advisorySeverity(advisories);
  const fixed = chooseFixedVersion(p.ecosystem, p.name, p.version, group);
  const summary = firstLine(advisories.map((a) => a.summary).find(Boolean) ?? advisories.map((a) => a.details).find(Boolean));
  const aliasText = aliases.length ? ` (${aliases.join(', ')})` : '';
  return FindingSchema.parse({
    rule_id: primary.id,
    scanner: SCANNER_NAME,
    severity,
    title: `${p.name}@${p.version}: ${summary || primary.id}`,
    message: `${p.ecosystem} package ${p.name} ${p.version} is affected by ${primary.id}${aliasText}${summary ? `: ${summary}` : ''}`,
    location: { path: p.file, start_line: p.line, end_line: p.line },
    evidence: `${p.name}@${p.version}`,
    remediation: fixed
      ? `upgrade ${p.name} to ${fixed}`
      : `no fixed version of ${p.name} is published for ${primary.id}; remove or replace the dependency`,
    references: [...new Set([...ids, ...aliases, ...cweIds(advisories)])],
    fingerprint: fingerprint([primary.id, p.file, p.ecosystem, p.name, p.version]),
    ...(fixed ? { fix: { kind: 'dependency.upgrade', ecosystem: p.ecosystem, package: p.name, from: p.version, to: fixed } } : {}),
    metadata: {
      ecosystem: p.ecosystem,
      package: p.name,
      version: p.version,
      fixed_version: fixed,
      aliases,
      cvss,
      severity_rated: rated,
      direct: p.direct,
      dev: p.dev ?? false,
    },
  });
}

/** Matches packages against the database; unpinned (range-only) packages are skipped. */
export function matchPackages(db: AdvisoryDatabase, packages: readonly Package[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const p of packages) {
    if (p.unpinned) continue;
    const key = `${p.file}\u0000${p.ecosystem}\u0000${p.name}\u0000${p.version}`;
    if (seen.has(key)) continue; // nested copies of one version in one lockfile report once
    seen.add(key);
    const hits = db.advisoriesFor(p.ecosystem, p.name).flatMap((a) => matchAdvisory(a, p.ecosystem, p.name, p.version) ?? []);
    for (const group of groupByAlias(hits)) findings.push(buildFinding(p, group));
  }
  return findings;
}
