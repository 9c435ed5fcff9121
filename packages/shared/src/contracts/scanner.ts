import type { Finding } from './finding.js';

/** A file the repository walk read once and fans out to every scanner that wants it. */
export interface ScannedFile {
  /** Path relative to the repository root, always with forward slashes. */
  path: string;
  content: string;
  size: number;
}

/** What a scanner may know about the whole scan. */
export interface ScanContext {
  /** Absolute path of the checked-out repository. */
  root: string;
  /** Every text file path the walk will visit (relative, forward slashes), for cross-file rules. */
  paths: readonly string[];
  /** Reads another file of the repository (relative path); null when absent, binary or skipped. */
  readFile(path: string): Promise<string | null>;
}

/** Cross-file results a scanner hands back once the walk is done. */
export interface ScannerOutput {
  findings: Finding[];
  /** Non-fatal problems (e.g. a lockfile that did not parse) shown in the report. */
  warnings: string[];
  /** Scanner-specific report sections, e.g. { packages: [...], database: {...} } from the dependency scanner. */
  data?: Record<string, unknown>;
}

/**
 * An analyzer in the scan registry (the way Trivy's analyzers work): `wants` is a cheap path filter,
 * `analyze` sees each wanted file once, `finish` runs after the walk for rules that need several files.
 * A scanner instance lives for one scan, so it may keep state between analyze() and finish().
 */
export interface Scanner {
  readonly name: string;
  /** Goes into the report-cache key: bump it when rules or matching change. */
  readonly version: string;
  wants(path: string): boolean;
  analyze(file: ScannedFile, ctx: ScanContext): Finding[] | Promise<Finding[]>;
  finish?(ctx: ScanContext): ScannerOutput | Promise<ScannerOutput>;
}

export type ScannerFactory = () => Scanner | Promise<Scanner>;
