/**
 * The global path allowlist: files where a "secret" is almost always a false alarm (lockfile integrity
 * hashes, minified bundles) or not ours to fix (vendored code), and binaries that are not text.
 */
const SKIPPED_BASENAMES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock', 'cargo.lock',
  'go.sum', 'poetry.lock', 'pipfile.lock', 'composer.lock', 'gemfile.lock', 'gradle.lockfile', 'mix.lock',
  'packages.lock.json', 'podfile.lock', 'flake.lock', 'deno.lock', 'uv.lock', 'pdm.lock', 'pubspec.lock',
]);

const SKIPPED_SEGMENTS = new Set(['node_modules', 'vendor', 'bower_components', '.git', '.yarn', 'jspm_packages', '.pnpm-store']);

const BINARY_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'ico', 'webp', 'bmp', 'tif', 'tiff', 'svgz', 'psd', 'pdf', 'zip', 'gz', 'tgz', 'bz2',
  'xz', '7z', 'rar', 'zst', 'jar', 'war', 'ear', 'class', 'so', 'dylib', 'dll', 'exe', 'bin', 'o', 'a', 'lib', 'obj',
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'mov', 'avi', 'mkv', 'wav', 'ogg', 'flac', 'webm', 'wasm',
  'pyc', 'pyo', 'db', 'sqlite', 'sqlite3', 'icns', 'heic', 'avif', 'dmg', 'iso', 'deb', 'rpm', 'apk', 'ipa', 'node',
]);

/** Minified or generated text: long lines of hashes and base64 that only produce noise. */
const GENERATED_SUFFIXES = ['.min.js', '.min.css', '.min.mjs', '.bundle.js', '.js.map', '.css.map', '.map', '.snap'];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// One regex each instead of loops: this runs for every file of every scan.
const GENERATED_SUFFIX_RE = new RegExp(`(?:${GENERATED_SUFFIXES.map(escapeRegex).join('|')})$`);
const SKIPPED_SEGMENT_RE = new RegExp(`(?:^|/)(?:${[...SKIPPED_SEGMENTS].map(escapeRegex).join('|')})/`);

/** True when `path` is on the global allowlist (never scanned). Cheap: no globbing. */
export function isGloballyAllowlisted(path: string): boolean {
  const normalized = path.includes('\\') ? path.replace(/\\/g, '/') : path;
  const slash = normalized.lastIndexOf('/');
  const base = normalized.slice(slash + 1).toLowerCase();
  if (SKIPPED_BASENAMES.has(base)) return true;
  const dot = base.lastIndexOf('.');
  if (dot >= 0 && BINARY_EXTENSIONS.has(base.slice(dot + 1))) return true;
  if (GENERATED_SUFFIX_RE.test(base)) return true;
  return slash > 0 && SKIPPED_SEGMENT_RE.test(normalized.slice(0, slash + 1));
}

/** NUL bytes early in a file mean binary content that slipped past the extension check. */
export function looksBinary(content: string): boolean {
  return content.slice(0, 8000).includes('\u0000');
}
