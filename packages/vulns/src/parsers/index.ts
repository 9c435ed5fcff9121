import { posix } from 'node:path';
import type { ParseResult, ReadFile } from '../types.js';
import { parseCargoLock } from './cargo.js';
import { parseComposerLock } from './composer.js';
import { parseNuGetLock } from './dotnet.js';
import { parseGoMod, parseGoSum } from './go.js';
import { parseGradleLockfile, parsePomXml } from './jvm.js';
import { parsePackageJson, parsePackageLock } from './npm.js';
import { parsePnpmLock } from './pnpm.js';
import { parsePipfileLock, parsePoetryLock, parseRequirementsTxt, parseUvLock } from './python.js';
import { parseGemfileLock } from './ruby.js';
import { errorMessage } from './util.js';
import { parseYarnLock } from './yarn.js';

export { parsePackageLock, parsePackageJson } from './npm.js';
export { parseYarnLock } from './yarn.js';
export { parsePnpmLock, parsePnpmKey } from './pnpm.js';
export { parseRequirementsTxt, parsePipfileLock, parsePoetryLock, parseUvLock } from './python.js';
export { parseGoMod, parseGoSum } from './go.js';
export { parseCargoLock } from './cargo.js';
export { parseGemfileLock } from './ruby.js';
export { parseComposerLock } from './composer.js';
export { parsePomXml, parseGradleLockfile } from './jvm.js';
export { parseNuGetLock } from './dotnet.js';

export type ManifestKind =
  | 'package-lock'
  | 'package-json'
  | 'yarn-lock'
  | 'pnpm-lock'
  | 'requirements'
  | 'pipfile-lock'
  | 'poetry-lock'
  | 'uv-lock'
  | 'go-mod'
  | 'go-sum'
  | 'cargo-lock'
  | 'gemfile-lock'
  | 'composer-lock'
  | 'pom'
  | 'gradle-lock'
  | 'nuget-lock';

const BY_NAME: Record<string, ManifestKind> = {
  'package-lock.json': 'package-lock',
  'npm-shrinkwrap.json': 'package-lock',
  'package.json': 'package-json',
  'yarn.lock': 'yarn-lock',
  'pnpm-lock.yaml': 'pnpm-lock',
  'Pipfile.lock': 'pipfile-lock',
  'poetry.lock': 'poetry-lock',
  'uv.lock': 'uv-lock',
  'go.mod': 'go-mod',
  'go.sum': 'go-sum',
  'Cargo.lock': 'cargo-lock',
  'Gemfile.lock': 'gemfile-lock',
  'gems.locked': 'gemfile-lock',
  'composer.lock': 'composer-lock',
  'pom.xml': 'pom',
  'gradle.lockfile': 'gradle-lock',
  'packages.lock.json': 'nuget-lock',
};

/** Lockfile kinds that pin exact versions (as opposed to manifests that declare ranges). */
export const LOCKFILE_KINDS: ReadonlySet<ManifestKind> = new Set<ManifestKind>([
  'package-lock', 'yarn-lock', 'pnpm-lock', 'pipfile-lock', 'poetry-lock', 'uv-lock', 'go-sum',
  'cargo-lock', 'gemfile-lock', 'composer-lock', 'gradle-lock', 'nuget-lock',
]);

/** Which parser a path needs, by file name; null for anything that is not a dependency manifest. */
export function manifestKind(path: string): ManifestKind | null {
  const base = posix.basename(path.replace(/\\/g, '/'));
  const known = BY_NAME[base];
  if (known) return known;
  if (/^requirements([-_.][\w.-]*)?\.txt$/i.test(base) || /\.requirements\.txt$/i.test(base)) return 'requirements';
  // pip-compile-multi style: requirements/dev.txt, requirements/tests.txt
  if (/(^|\/)requirements\/[\w.-]+\.txt$/i.test(path)) return 'requirements';
  if (/\.gradle\.lockfile$|^buildscript-gradle\.lockfile$/.test(base)) return 'gradle-lock';
  return null;
}

export function isManifest(path: string): boolean {
  return manifestKind(path) !== null;
}

/**
 * Parses any supported manifest/lockfile by its file name. Never throws: malformed input gives no packages
 * and a warning. `readFile` resolves `-r` includes in requirements files (paths relative to the repo).
 */
export async function parseManifest(path: string, content: string, readFile?: ReadFile): Promise<ParseResult> {
  const kind = manifestKind(path);
  if (!kind) return { packages: [], warnings: [`${path}: not a recognised dependency manifest`] };
  try {
    switch (kind) {
      case 'package-lock':
        return parsePackageLock(path, content);
      case 'package-json':
        return parsePackageJson(path, content);
      case 'yarn-lock':
        return parseYarnLock(path, content);
      case 'pnpm-lock':
        return parsePnpmLock(path, content);
      case 'requirements':
        return await parseRequirementsTxt(path, content, readFile);
      case 'pipfile-lock':
        return parsePipfileLock(path, content);
      case 'poetry-lock':
        return parsePoetryLock(path, content);
      case 'uv-lock':
        return parseUvLock(path, content);
      case 'go-mod':
        return parseGoMod(path, content);
      case 'go-sum':
        return parseGoSum(path, content);
      case 'cargo-lock':
        return parseCargoLock(path, content);
      case 'gemfile-lock':
        return parseGemfileLock(path, content);
      case 'composer-lock':
        return parseComposerLock(path, content);
      case 'pom':
        return parsePomXml(path, content);
      case 'gradle-lock':
        return parseGradleLockfile(path, content);
      case 'nuget-lock':
        return parseNuGetLock(path, content);
    }
  } catch (err) {
    // Parsers validate shapes, but a lockfile is untrusted input: a bug must not abort the whole scan.
    return { packages: [], warnings: [`${path}: failed to parse (${errorMessage(err)})`] };
  }
}
