import { posix } from 'node:path';
import type { Finding, ScanContext, ScannedFile, Scanner, ScannerOutput } from '@linkops/shared/contracts';
import semver from 'semver';
import type { AdvisoryDatabase } from './database.js';
import { matchPackages, SCANNER_NAME } from './findings.js';
import { isManifest, LOCKFILE_KINDS, manifestKind, parseManifest } from './parsers/index.js';
import type { Package } from './types.js';

export interface VulnScannerOptions {
  db: AdvisoryDatabase;
  /** Skip dev-only dependencies (default false: they are reported, flagged metadata.dev). */
  ignoreDev?: boolean;
}

/** Bump when parsing or matching changes (goes into report-cache keys). */
export const VULN_SCANNER_VERSION = '1.0.0';

interface ParsedFile {
  path: string;
  packages: Package[];
}

/**
 * Merges per-file results the way osv-scanner/Trivy do: a lockfile wins over the manifest beside it
 * (package.json ranges are dropped when package-lock/yarn/pnpm is present; their names mark lockfile
 * entries as direct), and go.sum only adds modules go.mod does not list.
 */
export function mergeDirectoryPackages(files: readonly ParsedFile[]): Package[] {
  const byDir = new Map<string, ParsedFile[]>();
  for (const f of files) {
    const dir = posix.dirname(f.path);
    const list = byDir.get(dir);
    if (list) list.push(f);
    else byDir.set(dir, [f]);
  }
  const out: Package[] = [];
  for (const group of byDir.values()) {
    const kinds = new Map(group.map((f) => [manifestKind(f.path), f] as const));
    const packageJson = kinds.get('package-json');
    const npmLocks = group.filter((f) => ['package-lock', 'yarn-lock', 'pnpm-lock'].includes(manifestKind(f.path) ?? ''));
    const goMod = kinds.get('go-mod');
    for (const f of group) {
      const kind = manifestKind(f.path);
      if (kind === 'package-json' && npmLocks.length > 0) continue;
      if (kind === 'go-sum' && goMod) {
        const listed = new Set(goMod.packages.map((p) => p.name));
        out.push(...f.packages.filter((p) => !listed.has(p.name)));
        continue;
      }
      if (kind && LOCKFILE_KINDS.has(kind) && packageJson && npmLocks.includes(f)) {
        const declared = new Map(packageJson.packages.map((p) => [p.name, p]));
        out.push(
          ...f.packages.map((p) => {
            const decl = declared.get(p.name);
            // Of several locked versions of a declared name, the direct one is the one its range accepts.
            if (p.direct || !decl || (semver.validRange(decl.version) && !semver.satisfies(p.version, decl.version))) return p;
            return { ...p, direct: true, ...(decl.dev ? { dev: true } : {}) };
          }),
        );
        continue;
      }
      out.push(...f.packages);
    }
  }
  return out;
}

/** Dependency vulnerability scanner for the scan registry (Trivy-style analyzer). */
export function createVulnScanner(options: VulnScannerOptions): Scanner {
  const parsed: ParsedFile[] = [];
  const warnings: string[] = [];
  return {
    name: SCANNER_NAME,
    version: VULN_SCANNER_VERSION,
    wants: (path: string) => isManifest(path),
    async analyze(file: ScannedFile, ctx: ScanContext): Promise<Finding[]> {
      const result = await parseManifest(file.path, file.content, (p) => ctx.readFile(p));
      parsed.push({ path: file.path, packages: result.packages });
      warnings.push(...result.warnings);
      return [];
    },
    finish(): ScannerOutput {
      let packages = mergeDirectoryPackages(parsed);
      if (options.ignoreDev) packages = packages.filter((p) => !p.dev);
      const findings = matchPackages(options.db, packages);
      return {
        findings,
        warnings: [...warnings, ...options.db.warnings.slice(0, 20)],
        data: { dependencies: { packages, database: options.db.describe() } },
      };
    },
  };
}
