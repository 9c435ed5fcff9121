import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArtifactStore,
  ImmutableVersionError,
  InvalidIdError,
  InvalidRangeError,
  NotFoundError,
  etagFor,
  etagMatches,
  type RegistryIndex,
} from '../src/index.js';
import { makeArtifact, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: ArtifactStore;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  store = new ArtifactStore({ dir });
  await store.reload();
});
afterEach(async () => cleanup());

async function publishVersions(id: string, versions: string[]): Promise<void> {
  for (const version of versions) await store.publish(makeArtifact({ id, version, content: `v: ${version}\nid: ${id}\n` }));
}

describe('publish and persistence', () => {
  it('a reload running while a version is published does not lose it (replicas reload on every publish)', async () => {
    for (let i = 0; i < 20; i++) {
      const id = `orb.gha.race${i}`;
      await Promise.all([store.reload(), store.publish(makeArtifact({ id, version: '1.0.0' })), store.reload()]);
      expect(store.versions('orb', id).map((v) => v.version), id).toEqual(['1.0.0']);
    }
  });

  it('writes the file, meta.json and the index under <dir>/orbs/<id>/<version>/', async () => {
    const a = makeArtifact({ version: '1.2.0' });
    const res = await store.publish(a);
    expect(res.status).toBe('created');
    const vdir = join(dir, 'orbs', 'orb.gha.security', '1.2.0');
    expect((await readdir(vdir)).sort()).toEqual(['meta.json', 'orb.gha.security.v1.yaml']);
    expect(await readFile(join(vdir, 'orb.gha.security.v1.yaml'), 'utf8')).toBe(a.content);
    const meta = JSON.parse(await readFile(join(vdir, 'meta.json'), 'utf8'));
    expect(meta.meta.digest).toBe(a.meta.digest);
    expect(meta.content).toBeUndefined();
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as RegistryIndex;
    expect(index.entries['orb.gha.security']?.[0]?.version).toBe('1.2.0');
    // no temp files left behind
    const top = await readdir(dir);
    expect(top.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await readdir(join(dir, '.staging'))).toEqual([]);
  });

  it('is idempotent for the same id+version+digest', async () => {
    const a = makeArtifact();
    await store.publish(a);
    const before = await stat(join(dir, 'orbs', 'orb.gha.security', '1.0.0', 'meta.json'));
    const again = await store.publish(a);
    expect(again.status).toBe('unchanged');
    const after = await stat(join(dir, 'orbs', 'orb.gha.security', '1.0.0', 'meta.json'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(store.versions('orb', 'orb.gha.security')).toHaveLength(1);
  });

  it('refuses to overwrite a version with different content', async () => {
    await store.publish(makeArtifact({ content: 'a: 1\n' }));
    await expect(store.publish(makeArtifact({ content: 'a: 2\n' }))).rejects.toBeInstanceOf(ImmutableVersionError);
    expect(store.get('orb', 'orb.gha.security')?.content).toBe('a: 1\n');
  });

  it('detects a conflicting version published by another replica on the same dir', async () => {
    const other = new ArtifactStore({ dir });
    await other.reload();
    await other.publish(makeArtifact({ content: 'from: other\n' }));
    // `store` has not reloaded, but publish checks the disk.
    await expect(store.publish(makeArtifact({ content: 'from: me\n' }))).rejects.toBeInstanceOf(ImmutableVersionError);
    const same = await store.publish(makeArtifact({ content: 'from: other\n' }));
    expect(same.status).toBe('unchanged');
  });

  it('a second store instance sees published, deprecated and yanked versions after reload()', async () => {
    await publishVersions('orb.gha.security', ['1.0.0', '1.1.0']);
    await store.deprecate('orb', 'orb.gha.security', '1.0.0', 'use 1.1');
    const reader = new ArtifactStore({ dir });
    await reader.reload();
    expect(reader.get('orb', 'orb.gha.security')?.meta.version).toBe('1.1.0');
    await store.yank('orb', 'orb.gha.security', '1.1.0', 'leaks a token');
    await store.publish(makeArtifact({ id: 'rune.gha.pipeline', version: '0.1.0' }));
    expect(reader.get('orb', 'orb.gha.security')?.meta.version).toBe('1.1.0'); // stale until reload
    await reader.reload();
    expect(reader.get('orb', 'orb.gha.security')?.meta.version).toBe('1.0.0');
    expect(reader.resolve('orb', 'orb.gha.security', '1.1.0')?.yanked?.reason).toBe('leaks a token');
    expect(reader.resolve('orb', 'orb.gha.security', '1.0.0')?.deprecated?.reason).toBe('use 1.1');
    expect(reader.get('rune', 'rune.gha.pipeline')?.content).toContain('def render_pipeline');
    expect(reader.warnings).toEqual([]);
  });

  it('reload skips stray and corrupt entries with a warning', async () => {
    await store.publish(makeArtifact());
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'orbs', 'not-an-id'), { recursive: true });
    await mkdir(join(dir, 'orbs', 'orb.gha.other', '1.0.0'), { recursive: true });
    await writeFile(join(dir, 'orbs', 'orb.gha.other', '1.0.0', 'meta.json'), '{torn');
    const reader = new ArtifactStore({ dir });
    await reader.reload();
    expect(reader.list().total).toBe(1);
    expect(reader.warnings).toHaveLength(2);
  });

  it('serialises concurrent publishes of different versions', async () => {
    await Promise.all(['1.0.0', '1.0.1', '1.0.2', '1.1.0'].map((v) => store.publish(makeArtifact({ version: v, content: `v: ${v}\n` }))));
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as RegistryIndex;
    expect(index.entries['orb.gha.security']?.map((e) => e.version)).toEqual(['1.1.0', '1.0.2', '1.0.1', '1.0.0']);
  });

  it('validates artifacts against the contract', async () => {
    const bad = makeArtifact();
    (bad.meta as { platform: string }).platform = 'nope';
    await expect(store.publish(bad)).rejects.toThrow(/platform/);
    await expect(store.publish(makeArtifact({ version: 'v1.0.0' }))).rejects.toBeInstanceOf(InvalidIdError);
    const traversal = makeArtifact();
    traversal.filename = '../../evil.yaml';
    await expect(store.publish(traversal)).rejects.toBeInstanceOf(InvalidIdError);
  });
});

describe('resolution', () => {
  beforeEach(async () => {
    await publishVersions('orb.gha.security', ['1.0.0', '1.2.0', '1.2.3', '1.3.0', '2.0.0-beta.1', '2.0.0', '2.1.0']);
  });
  const resolve = (range: string) => store.resolve('orb', 'orb.gha.security', range)?.meta.version;

  it('resolves exact versions, ranges and latest', () => {
    expect(resolve('1.2.0')).toBe('1.2.0');
    expect(resolve('v1.2.3')).toBe('1.2.3');
    expect(resolve('1')).toBe('1.3.0');
    expect(resolve('^1.2')).toBe('1.3.0');
    expect(resolve('~1.2.0')).toBe('1.2.3');
    expect(resolve('~1.2.3')).toBe('1.2.3');
    expect(resolve('2')).toBe('2.1.0');
    expect(resolve('latest')).toBe('2.1.0');
    expect(resolve('3')).toBeUndefined();
    expect(resolve('9.9.9')).toBeUndefined();
  });

  it('only matches prereleases when asked for', async () => {
    expect(resolve('>=2.0.0-0 <2.0.0')).toBe('2.0.0-beta.1');
    expect(resolve('2.0.0-beta.1')).toBe('2.0.0-beta.1');
    await publishVersions('orb.gha.security', ['3.0.0-rc.1']);
    expect(resolve('latest')).toBe('2.1.0');
    expect(store.list({ channel: 'prerelease' }).items[0]?.meta.version).toBe('3.0.0-rc.1');
    expect(store.list({ channel: 'stable' }).items[0]?.meta.version).toBe('2.1.0');
  });

  it('skips yanked versions in ranges but serves them by exact version', async () => {
    await store.yank('orb', 'orb.gha.security', '2.1.0', 'broken checkout step');
    expect(resolve('latest')).toBe('2.0.0');
    expect(resolve('^2')).toBe('2.0.0');
    const exact = store.resolve('orb', 'orb.gha.security', '2.1.0');
    expect(exact?.yanked?.reason).toBe('broken checkout step');
    expect(store.list({ channel: 'all' }).items[0]?.meta.version).toBe('2.0.0');
  });

  it('prefers non-deprecated versions but still serves deprecated ones when nothing else fits', async () => {
    await store.deprecate('orb', 'orb.gha.security', '1.3.0', 'superseded by 2.x');
    expect(resolve('^1')).toBe('1.2.3');
    expect(resolve('~1.3.0')).toBe('1.3.0');
    await store.deprecate('orb', 'orb.gha.security', '2.1.0', 'old');
    await store.deprecate('orb', 'orb.gha.security', '2.0.0', 'old');
    expect(resolve('latest')).toBe('1.2.3');
    await publishVersions('orb.k8s.probe', ['1.0.0', '1.1.0']);
    await store.deprecate('orb', 'orb.k8s.probe', '1.1.0', 'old');
    await store.deprecate('orb', 'orb.k8s.probe', '1.0.0', 'old');
    expect(store.get('orb', 'orb.k8s.probe')?.meta.version).toBe('1.1.0');
  });

  it('rejects malformed ranges and ids', () => {
    expect(() => resolve('not a range!')).toThrow(InvalidRangeError);
    expect(() => store.resolve('orb', 'rune.gha.security', '1')).toThrow(InvalidIdError);
  });

  it('lists versions newest first with their state', async () => {
    await store.yank('orb', 'orb.gha.security', '1.0.0', 'bad');
    const versions = store.versions('orb', 'orb.gha.security');
    expect(versions.map((v) => v.version)).toEqual(['2.1.0', '2.0.0', '2.0.0-beta.1', '1.3.0', '1.2.3', '1.2.0', '1.0.0']);
    expect(versions.find((v) => v.version === '2.0.0-beta.1')?.prerelease).toBe(true);
    expect(versions.at(-1)?.yanked?.reason).toBe('bad');
  });

  it('throws NotFoundError when marking an unknown version', async () => {
    await expect(store.yank('orb', 'orb.gha.security', '7.0.0', 'x')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('list and index', () => {
  beforeEach(async () => {
    await store.publish(makeArtifact({ id: 'orb.gha.security', tags: ['security', 'ci'] }));
    await store.publish(makeArtifact({ id: 'orb.helm.chart', platform: 'helm', category: 'deploy', tags: ['helm'] }));
    await store.publish(makeArtifact({ id: 'orb.argocd.app', platform: 'argocd', category: 'deploy', tags: ['gitops'] }));
    await store.publish(makeArtifact({ id: 'rune.gha.pipeline', tags: ['ci'] }));
  });

  it('filters and paginates', () => {
    expect(store.list().total).toBe(4);
    expect(store.list({ kind: 'orb' }).items.map((i) => i.meta.id)).toEqual(['orb.argocd.app', 'orb.gha.security', 'orb.helm.chart']);
    expect(store.list({ category: 'deploy' }).total).toBe(2);
    expect(store.list({ platform: 'helm' }).items.map((i) => i.meta.id)).toEqual(['orb.helm.chart']);
    expect(store.list({ tag: 'ci' }).items.map((i) => i.meta.id)).toEqual(['orb.gha.security', 'rune.gha.pipeline']);
    const page = store.list({ offset: 1, limit: 2 });
    expect(page.total).toBe(4);
    expect(page.items.map((i) => i.meta.id)).toEqual(['orb.gha.security', 'orb.helm.chart']);
    expect('content' in (page.items[0] ?? {})).toBe(false);
  });

  it('builds a Helm-style index of every version', async () => {
    await store.publish(makeArtifact({ id: 'orb.gha.security', version: '1.1.0', content: 'x: 1\n' }));
    await store.yank('orb', 'orb.gha.security', '1.0.0', 'bad step');
    const index = store.index();
    expect(index.apiVersion).toBe('v1');
    expect(Object.keys(index.entries).sort()).toEqual(['orb.argocd.app', 'orb.gha.security', 'orb.helm.chart', 'rune.gha.pipeline']);
    const sec = index.entries['orb.gha.security']!;
    expect(sec.map((e) => e.version)).toEqual(['1.1.0', '1.0.0']);
    expect(sec[1]).toMatchObject({ yanked: true, yank_reason: 'bad step', deprecated: false, kind: 'orb' });
    expect(sec[0]?.urls).toEqual(['/orbs/orb.gha.security/versions/1.1.0']);
    expect(index.entries['rune.gha.pipeline']?.[0]?.urls).toEqual(['/runes/rune.gha.pipeline/versions/1.0.0']);
    expect(sec[0]?.etag).toBe(etagFor(store.resolve('orb', 'orb.gha.security', '1.1.0')!));
  });
});

describe('ETag', () => {
  it('is the strong sha256 digest and changes with content', () => {
    const a = makeArtifact({ content: 'a: 1\n' });
    const b = makeArtifact({ content: 'a: 2\n' });
    expect(etagFor(a)).toMatch(/^"sha256-[0-9a-f]{64}"$/);
    expect(etagFor(a)).not.toBe(etagFor(b));
    expect(etagFor({ meta: { ...a.meta, digest: `sha256:${a.meta.digest}` } })).toBe(etagFor(a));
  });

  it('matches If-None-Match lists, weak forms and *', () => {
    const e = etagFor(makeArtifact());
    expect(etagMatches(e, e)).toBe(true);
    expect(etagMatches(`"other", ${e}`, e)).toBe(true);
    expect(etagMatches(`W/${e}`, e)).toBe(true);
    expect(etagMatches('*', e)).toBe(true);
    expect(etagMatches('"sha256-00"', e)).toBe(false);
    expect(etagMatches(undefined, e)).toBe(false);
  });
});

describe('path traversal', () => {
  const evil = [
    '..',
    '../etc/passwd',
    'orb.gha/../../etc',
    'orb.gha.security/../x',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2fpackage.json',
    'orb.gha.sec%2fx',
    'orb.gha.security\\..\\x',
    'orb.gha.security\u0000',
    '/etc/passwd',
    'orb..security',
    'ORB.GHA.SECURITY',
    '',
    'orb.gha.' + 'a'.repeat(300),
  ];
  it.each(evil)('rejects %j', (id) => {
    expect(() => store.get('orb', id)).toThrow(InvalidIdError);
    expect(() => store.versions('orb', id)).toThrow(InvalidIdError);
    expect(() => store.resolve('orb', id, '1')).toThrow(InvalidIdError);
  });

  it('rejects traversal in versions passed to deprecate/yank', async () => {
    await expect(store.deprecate('orb', 'orb.gha.security', '../../1.0.0', 'x')).rejects.toBeInstanceOf(InvalidIdError);
    await expect(store.yank('orb', 'orb.gha.security', '1.0.0/..', 'x')).rejects.toBeInstanceOf(InvalidIdError);
  });
});
