import { open, readdir, lstat } from 'node:fs/promises';
import path from 'node:path';

export interface LanguageShare {
  language: string;
  bytes: number;
  share: number;
}

export interface WalkedFile {
  /** Relative to the root, forward slashes. */
  path: string;
  size: number;
}

export interface WalkResult {
  /** Text files the scanners will see, sorted by path. */
  files: WalkedFile[];
  bytes: number;
  /** Counts by reason: symlink, binary, too_large, special, unreadable. */
  skipped: Record<string, number>;
  languages: LanguageShare[];
}

export interface WalkOptions {
  maxFileBytes: number;
  onProgress?: (done: number) => void;
}

const EXTENSION_LANGUAGE: Record<string, string> = {
  '.js': 'JavaScript', '.mjs': 'JavaScript', '.cjs': 'JavaScript', '.jsx': 'JavaScript',
  '.ts': 'TypeScript', '.tsx': 'TypeScript', '.mts': 'TypeScript', '.cts': 'TypeScript',
  '.py': 'Python', '.go': 'Go', '.java': 'Java', '.kt': 'Kotlin', '.kts': 'Kotlin', '.scala': 'Scala',
  '.rb': 'Ruby', '.php': 'PHP', '.cs': 'C#', '.fs': 'F#', '.rs': 'Rust', '.c': 'C', '.h': 'C',
  '.cc': 'C++', '.cpp': 'C++', '.hpp': 'C++', '.swift': 'Swift', '.m': 'Objective-C',
  '.sh': 'Shell', '.bash': 'Shell', '.ps1': 'PowerShell', '.lua': 'Lua', '.pl': 'Perl',
  '.ex': 'Elixir', '.exs': 'Elixir', '.erl': 'Erlang', '.clj': 'Clojure', '.dart': 'Dart',
  '.vue': 'Vue', '.svelte': 'Svelte', '.html': 'HTML', '.css': 'CSS', '.scss': 'SCSS',
  '.sql': 'SQL', '.tf': 'HCL', '.hcl': 'HCL',
};

/** Language of a path by extension (Dockerfile by name); null for data/config files. */
export function languageOf(filePath: string): string | null {
  const base = path.posix.basename(filePath);
  if (base === 'Dockerfile' || base.startsWith('Dockerfile.') || base.endsWith('.dockerfile')) return 'Dockerfile';
  return EXTENSION_LANGUAGE[path.posix.extname(base).toLowerCase()] ?? null;
}

/** Byte shares of the languages among files, largest first (ties by name for determinism). */
export function languageShares(files: readonly WalkedFile[]): LanguageShare[] {
  const bytes = new Map<string, number>();
  for (const f of files) {
    const lang = languageOf(f.path);
    if (lang) bytes.set(lang, (bytes.get(lang) ?? 0) + f.size);
  }
  const total = [...bytes.values()].reduce((a, b) => a + b, 0);
  return [...bytes.entries()]
    .map(([language, b]) => ({ language, bytes: b, share: total === 0 ? 0 : Math.round((b / total) * 10000) / 10000 }))
    .sort((a, b) => b.bytes - a.bytes || a.language.localeCompare(b.language));
}

const SNIFF_BYTES = 8000;

/** git's heuristic: a NUL byte in the first 8000 bytes means binary. */
async function looksBinary(full: string, size: number): Promise<boolean> {
  if (size === 0) return false;
  const fh = await open(full, 'r');
  try {
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } finally {
    await fh.close();
  }
}

/**
 * Lists the text files of a checkout. Symlinks are never followed (a repository can point them
 * anywhere on the scanning host), .git is skipped, binary and oversized files are counted, not read.
 */
export async function walkRepository(root: string, opts: WalkOptions): Promise<WalkResult> {
  const files: WalkedFile[] = [];
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  let bytes = 0;
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => null);
    if (!entries) {
      skip('unreadable');
      continue;
    }
    for (const entry of entries) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        skip('symlink');
        continue;
      }
      if (entry.isDirectory()) {
        if (entry.name !== '.git') stack.push(childRel);
        continue;
      }
      if (!entry.isFile()) {
        skip('special');
        continue;
      }
      const full = path.join(root, childRel);
      const st = await lstat(full).catch(() => null);
      if (!st || !st.isFile()) {
        skip(st?.isSymbolicLink() ? 'symlink' : 'unreadable');
        continue;
      }
      if (st.size > opts.maxFileBytes) {
        skip('too_large');
        continue;
      }
      const binary = await looksBinary(full, st.size).catch(() => null);
      if (binary === null) {
        skip('unreadable');
        continue;
      }
      if (binary) {
        skip('binary');
        continue;
      }
      files.push({ path: childRel, size: st.size });
      bytes += st.size;
      if (opts.onProgress && files.length % 500 === 0) opts.onProgress(files.length);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  opts.onProgress?.(files.length);
  return { files, bytes, skipped, languages: languageShares(files) };
}
