import { symlinkSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloneError, cloneRepository, walkRepository } from '../src/index.js';
import { git, listDir, makeRepo, remove, tempDir, writeTree } from './helpers.js';

const origin = tempDir('origin');
const tmpRoot = tempDir('clones');
let first = '';
let second = '';

beforeAll(() => {
  first = makeRepo(origin, { 'README.md': 'v1\n', 'src/a.js': 'console.log(1)\n' });
  git(origin, 'tag', 'v1');
  writeFileSync(path.join(origin, 'README.md'), 'v2\n');
  writeFileSync(path.join(origin, 'uncommitted.txt'), 'dirty worktree\n');
  git(origin, 'add', 'README.md');
  git(origin, 'commit', '-q', '-m', 'second');
  second = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'branch', 'other', first);
});
afterAll(() => {
  remove(origin);
  remove(tmpRoot);
});

const local = () => ({ kind: 'local' as const, url: origin });
const base = () => ({ timeoutMs: 30_000, maxBytes: 50 * 1024 * 1024, tmpRoot });

describe('cloneRepository', () => {
  it('clones a local repo shallowly at HEAD with only committed files', async () => {
    const c = await cloneRepository(local(), base());
    try {
      expect(c.commit).toBe(second);
      expect(readFileSync(path.join(c.dir, 'README.md'), 'utf8')).toBe('v2\n');
      expect(existsSync(path.join(c.dir, 'uncommitted.txt'))).toBe(false);
      expect(git(c.dir, 'rev-list', '--count', 'HEAD')).toBe('1');
    } finally {
      await c.cleanup();
    }
    expect(existsSync(c.dir)).toBe(false);
  });

  it('checks out a branch, a tag and a commit sha', async () => {
    for (const [ref, expected] of [['other', () => first], ['v1', () => first], [first, () => first], [second.slice(0, 12), () => second]] as const) {
      const c = await cloneRepository(local(), { ...base(), ref });
      try {
        expect(c.commit).toBe(expected());
      } finally {
        await c.cleanup();
      }
    }
  });

  it('keeps full history in history mode', async () => {
    const c = await cloneRepository(local(), { ...base(), history: true });
    try {
      expect(git(c.dir, 'rev-list', '--count', 'HEAD')).toBe('2');
    } finally {
      await c.cleanup();
    }
  });

  it('fails with too_large past the size limit and leaves no temp dir', async () => {
    const err = await cloneRepository(local(), { ...base(), maxBytes: 1024, sizePollMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloneError);
    expect((err as CloneError).code).toBe('too_large');
    expect(listDir(tmpRoot)).toEqual([]);
  });

  it('fails with timeout past the time limit and leaves no temp dir', async () => {
    const err = await cloneRepository(local(), { ...base(), timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloneError);
    expect((err as CloneError).code).toBe('timeout');
    expect(listDir(tmpRoot)).toEqual([]);
  });

  it('fails cleanly for an unknown ref or a directory that is not a repository', async () => {
    const err = await cloneRepository(local(), { ...base(), ref: 'no-such-branch' }).catch((e: unknown) => e);
    expect((err as CloneError).code).toBe('failed');
    expect((err as CloneError).reason).toMatch(/git clone failed/);
    const notRepo = tempDir('notrepo');
    const err2 = await cloneRepository({ kind: 'local', url: notRepo }, base()).catch((e: unknown) => e);
    remove(notRepo);
    expect((err2 as CloneError).code).toBe('failed');
    expect(listDir(tmpRoot)).toEqual([]);
  });

  it('does not fetch submodules of the source', async () => {
    const sub = tempDir('sub');
    const parent = tempDir('parent');
    makeRepo(sub, { 'inner.txt': 'inner\n' });
    makeRepo(parent, { 'a.txt': 'a\n' });
    git(parent, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendored');
    git(parent, 'commit', '-q', '-m', 'add submodule');
    const c = await cloneRepository({ kind: 'local', url: parent }, base());
    try {
      expect(existsSync(path.join(c.dir, '.gitmodules'))).toBe(true);
      expect(listDir(path.join(c.dir, 'vendored'))).toEqual([]);
    } finally {
      await c.cleanup();
      remove(sub);
      remove(parent);
    }
  });
});

describe('walkRepository', () => {
  const root = tempDir('walk');
  const outside = tempDir('outside');
  beforeAll(() => {
    writeTree(outside, { 'secret.txt': 'outside the tree\n' });
    writeTree(root, {
      'src/app.ts': 'export const a = 1;\n'.repeat(10),
      'src/util.py': 'x = 1\n',
      'img/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]),
      'data/huge.txt': 'x'.repeat(5000),
      '.git/config': '[core]\n',
      'README.md': '# hi\n',
    });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link-out.txt'));
    symlinkSync(outside, path.join(root, 'linked-dir'));
  });
  afterAll(() => {
    remove(root);
    remove(outside);
  });

  it('lists text files and counts symlinks, binaries, huge files; skips .git', async () => {
    const seen: number[] = [];
    const w = await walkRepository(root, { maxFileBytes: 4096, onProgress: (n) => seen.push(n) });
    expect(w.files.map((f) => f.path)).toEqual(['README.md', 'src/app.ts', 'src/util.py']);
    expect(w.skipped).toEqual({ symlink: 2, binary: 1, too_large: 1 });
    expect(w.bytes).toBe(5 + 200 + 6);
    expect(w.languages.map((l) => l.language)).toEqual(['TypeScript', 'Python']);
    expect(w.languages[0]!.share).toBeCloseTo(200 / 206, 3);
    expect(seen.at(-1)).toBe(3);
  });
});
