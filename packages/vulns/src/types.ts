/** OSV ecosystem names for the package ecosystems this engine understands. */
export const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'Maven', 'RubyGems', 'crates.io', 'Packagist', 'NuGet'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export function isEcosystem(value: string): value is Ecosystem {
  return (ECOSYSTEMS as readonly string[]).includes(value);
}

/** One resolved (or, for manifests without a lockfile, declared) dependency. */
export interface Package {
  ecosystem: Ecosystem;
  name: string;
  /** Exact version; for unpinned manifest entries the declared range (see `unpinned`). */
  version: string;
  direct: boolean;
  dev?: boolean;
  /** True when `version` is a range from a manifest, not a resolved version: never matched against advisories. */
  unpinned?: boolean;
  /** Manifest/lockfile path (as given to the parser). */
  file: string;
  /** 1-based line of the entry in `file` (1 when unknown). */
  line: number;
}

export interface ParseResult {
  packages: Package[];
  warnings: string[];
}

/** Reads another file relative to the manifest being parsed (for `-r` includes); null when absent. */
export type ReadFile = (path: string) => string | null | Promise<string | null>;
