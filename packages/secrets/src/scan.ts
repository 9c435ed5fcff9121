import type { Finding, ScannedFile, Scanner } from '@linkops/shared/contracts';
import { SecretEngine, toFinding } from './engine.js';
import { isGloballyAllowlisted, looksBinary } from './paths.js';
import { SECRET_RULES } from './rules/index.js';
import type { SecretRule } from './types.js';

/** Bump when rules or matching change: it is part of the report-cache key. */
export const SECRETS_SCANNER_VERSION = '1.0.0';

export interface SecretScanOptions {
  /** Fingerprints of accepted findings; matching findings are dropped. */
  baseline?: Iterable<string>;
  /** Replace the built-in rule set (tests, custom policies). */
  rules?: readonly SecretRule[];
  /** Scan paths on the global allowlist too (lockfiles, node_modules, minified files). */
  includeAllowlistedPaths?: boolean;
}

let defaultEngine: SecretEngine | null = null;
const customEngines = new WeakMap<readonly SecretRule[], SecretEngine>();

/** Compiling ~200 rules is not free, so engines are built once per rule array. */
export function engineFor(rules?: readonly SecretRule[]): SecretEngine {
  if (!rules || rules === SECRET_RULES) return (defaultEngine ??= new SecretEngine(SECRET_RULES));
  let e = customEngines.get(rules);
  if (!e) customEngines.set(rules, (e = new SecretEngine(rules)));
  return e;
}

function findingsFor(engine: SecretEngine, text: string, path: string, baseline: ReadonlySet<string>): Finding[] {
  const matches = engine.scan(text, path);
  const out: Finding[] = [];
  for (const m of matches) {
    const f = toFinding(text, path, m, matches);
    if (!baseline.has(f.fingerprint)) out.push(f);
  }
  return out;
}

/** Secrets in one file's text. Pure: no I/O. `path` is repository-relative and goes into location and fingerprint. */
export function scanText(text: string, path: string, options: SecretScanOptions = {}): Finding[] {
  if (!options.includeAllowlistedPaths && isGloballyAllowlisted(path)) return [];
  if (looksBinary(text)) return [];
  return findingsFor(engineFor(options.rules), text, path, new Set(options.baseline ?? []));
}

/** The secrets analyzer for the scan registry. */
export function createSecretScanner(options: SecretScanOptions = {}): Scanner {
  const engine = engineFor(options.rules);
  const baseline = new Set(options.baseline ?? []);
  return {
    name: 'secrets',
    version: SECRETS_SCANNER_VERSION,
    wants: (path: string) => options.includeAllowlistedPaths === true || !isGloballyAllowlisted(path),
    analyze(file: ScannedFile): Finding[] {
      if (looksBinary(file.content)) return [];
      return findingsFor(engine, file.content, file.path, baseline);
    },
  };
}
