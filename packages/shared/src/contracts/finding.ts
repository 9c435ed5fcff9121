import { z } from 'zod';

/** Severity ladder shared by every scanner, report and exit-code decision. */
export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
/** Higher number = more severe; used for sorting and `--fail-on`. */
export function severityRank(s: Severity): number {
  return SEVERITY_ORDER.length - SEVERITY_ORDER.indexOf(s);
}

export const LocationSchema = z.object({
  path: z.string(),
  start_line: z.number().int().min(0),
  end_line: z.number().int().min(0),
  /** History mode only: where a secret was introduced. */
  commit: z.string().optional(),
  author: z.string().optional(),
  date: z.string().optional(),
});
export type Location = z.infer<typeof LocationSchema>;

/**
 * A machine-readable fix a migration can apply mechanically. `kind` says what to do; the rest is
 * kind-specific data (e.g. {kind:'dockerfile.pin-base', image:'node', suggested:'node:20-bookworm-slim'}).
 */
export const FixHintSchema = z.object({ kind: z.string() }).catchall(z.unknown());
export type FixHint = z.infer<typeof FixHintSchema>;

/** The one shape every scanner emits. `evidence` is always redacted; secrets never appear in full. */
export const FindingSchema = z.object({
  rule_id: z.string(),
  scanner: z.string(),
  severity: SeveritySchema,
  title: z.string(),
  message: z.string(),
  location: LocationSchema,
  evidence: z.string().default(''),
  remediation: z.string().default(''),
  /** CWE/CVE/GHSA ids and equivalent rule ids of well-known tools, e.g. "hadolint:DL3007". */
  references: z.array(z.string()).default([]),
  /** Stable hash identifying this finding across scans (baselines, SARIF partialFingerprints). */
  fingerprint: z.string(),
  fix: FixHintSchema.optional(),
  /** Scanner-specific extras (package name/version, fixed version, CVSS, ...). */
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;
export type FindingInput = z.input<typeof FindingSchema>;
