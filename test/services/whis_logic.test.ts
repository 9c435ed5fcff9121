import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startService, type Artifact, type RunningService, type SanitizedRecord } from '@linkops/shared';
import { smithArtifacts } from '@linkops/forge';
import { service } from '../../services/whis_logic/src/service.js';
import { clearPrefix, tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';

function record(id: string, task: string, answer: string, platform: string, topic: string, steps: string[], tags: string[] = []): SanitizedRecord {
  return {
    id,
    task,
    answer,
    tags,
    source: 'human',
    classification: { domain: topic, platform, topic, confidence: 0.9, evidence: [] },
    steps: steps.map((text, i) => ({ order: i + 1, text })),
    quality: { score: 0.9, reasons: [] },
    redactions: [],
    content_hash: `hash-${id}`,
  };
}

const SECURITY = record(
  'rec-security',
  'Harden GitHub Actions security scanning',
  'Add a workflow that runs a secret scan and a dependency audit on every pull request',
  'github-actions',
  'security',
  ['Add a workflow that runs on pull_request', 'Checkout the code', 'Run a secret scan and a dependency audit', 'Upload SARIF to code scanning'],
);
const HELM = record('rec-helm', 'Deploy the API with Helm', 'Package the service as a chart and roll it out', 'helm', 'deploy', ['Create a Helm chart for the service', 'helm upgrade the release']);
const DOCKER = record('rec-docker', 'Containerise the app', 'Build and push a container image', 'docker', 'image', ['Build the docker image', 'Push the image to the registry']);

/** The same artifact re-issued as another version (new bytes, new digest), as a later smith run would. */
function asVersion(a: Artifact, version: string): Artifact {
  const major = version.split('.')[0];
  const content = `${a.content.replaceAll(`v${a.meta.version}`, `v${version}`)}\n# build ${version}\n`;
  const ext = a.meta.kind === 'orb' ? 'yaml' : 'py';
  return {
    ...a,
    meta: { ...a.meta, version, digest: `sha256:${createHash('sha256').update(content).digest('hex')}` },
    filename: `${a.meta.id}.v${major}.${ext}`,
    content,
  };
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function publish(svc: RunningService, artifact: Artifact) {
  await svc.ctx.queues.enqueue('whisPublish', { artifact, record_ids: [] }, 'test-publish');
}

async function waitVisible(url: string, kind: 'orbs' | 'runes', id: string, version: string, timeoutMs = 10_000) {
  await waitFor(async () => (await fetch(`${url}/${kind}/${id}/versions/${version}`)).status === 200, timeoutMs);
}

describe('whis_logic over HTTP', () => {
  const data = tempDir('logic');
  const prefix = uniquePrefix('logic');
  let svc: RunningService;
  const [secOrb, secRune] = smithArtifacts([SECURITY]) as [Artifact, Artifact];
  const [helmOrb, helmRune] = smithArtifacts([HELM]) as [Artifact, Artifact];
  const [dockerOrb] = smithArtifacts([DOCKER]) as [Artifact, Artifact];
  const versions = ['1.0.0', '1.2.0', '1.2.3', '1.2.5', '1.3.0', '2.0.0-rc.1'];
  const ORB = secOrb.meta.id;

  beforeAll(async () => {
    svc = await startService(service, {
      port: 0,
      env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent', RESMITH_MIN_FAILURES: '3', RESMITH_FAILURE_RATE: '0.5' },
    });
    for (const v of versions) await publish(svc, asVersion(secOrb, v));
    for (const a of [secRune, helmOrb, helmRune, dockerOrb]) await publish(svc, a);
    for (const v of versions) await waitVisible(svc.url, 'orbs', ORB, v);
    await waitVisible(svc.url, 'runes', secRune.meta.id, secRune.meta.version);
    await waitVisible(svc.url, 'orbs', helmOrb.meta.id, helmOrb.meta.version);
    await waitVisible(svc.url, 'runes', helmRune.meta.id, helmRune.meta.version);
    await waitVisible(svc.url, 'orbs', dockerOrb.meta.id, dockerOrb.meta.version);
  });
  afterAll(async () => {
    await svc?.stop();
    await clearPrefix(prefix);
    data.cleanup();
  });

  it('lists what was published, with filters and paging', async () => {
    const all = (await (await fetch(`${svc.url}/orbs`)).json()) as { items: Array<{ meta: { id: string; version: string } }>; total: number };
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.meta.id).sort()).toEqual([dockerOrb.meta.id, helmOrb.meta.id, ORB].sort());
    expect(all.items.find((i) => i.meta.id === ORB)?.meta.version).toBe('1.3.0');
    expect(all.items.some((i) => 'content' in i)).toBe(false);
    const helm = (await (await fetch(`${svc.url}/orbs?platform=helm`)).json()) as { items: Array<{ meta: { id: string } }>; total: number };
    expect(helm.items.map((i) => i.meta.id)).toEqual([helmOrb.meta.id]);
    const page = (await (await fetch(`${svc.url}/orbs?limit=1&offset=1`)).json()) as { items: unknown[]; total: number; offset: number };
    expect(page).toMatchObject({ total: 3, offset: 1 });
    expect(page.items).toHaveLength(1);
    const pre = (await (await fetch(`${svc.url}/orbs?channel=prerelease&platform=gha`)).json()) as { items: Array<{ meta: { version: string } }> };
    expect(pre.items[0]?.meta.version).toBe('2.0.0-rc.1');
    const runes = (await (await fetch(`${svc.url}/runes`)).json()) as { total: number };
    expect(runes.total).toBe(2);
    expect((await fetch(`${svc.url}/orbs?channel=nightly`)).status).toBe(400);
  });

  it('resolves exact versions and semver ranges', async () => {
    const resolve = async (range: string) => {
      const r = await fetch(`${svc.url}/orbs/${ORB}/versions/${encodeURIComponent(range)}`);
      expect(r.status, range).toBe(200);
      return ((await r.json()) as { meta: { version: string } }).meta.version;
    };
    expect(await resolve('1.2.3')).toBe('1.2.3');
    expect(await resolve('1')).toBe('1.3.0');
    expect(await resolve('^1.2')).toBe('1.3.0');
    expect(await resolve('~1.2.3')).toBe('1.2.5');
    expect(await resolve('~1.2.0')).toBe('1.2.5');
    expect(await resolve('latest')).toBe('1.3.0');
    expect(await resolve('2.0.0-rc.1')).toBe('2.0.0-rc.1');
    expect(await resolve('>=2.0.0-rc.0')).toBe('2.0.0-rc.1');
    const latest = (await (await fetch(`${svc.url}/orbs/${ORB}`)).json()) as { meta: { version: string } };
    expect(latest.meta.version).toBe('1.3.0');

    const none = await fetch(`${svc.url}/orbs/${ORB}/versions/3`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await fetch(`${svc.url}/orbs/${ORB}/versions/${encodeURIComponent('^^1..x')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_range');

    const list = (await (await fetch(`${svc.url}/orbs/${ORB}/versions`)).json()) as { versions: Array<{ version: string; prerelease: boolean }> };
    expect(list.versions.map((v) => v.version)).toEqual(['2.0.0-rc.1', '1.3.0', '1.2.5', '1.2.3', '1.2.0', '1.0.0']);
    expect(list.versions[0]?.prerelease).toBe(true);
  });

  it('serves strong ETags and answers If-None-Match with 304 on JSON and raw', async () => {
    const first = await fetch(`${svc.url}/orbs/${helmOrb.meta.id}`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/); // strong: no W/ prefix
    const again = await fetch(`${svc.url}/orbs/${helmOrb.meta.id}`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    // A list with the tag in it, and the weak form, both match.
    expect((await fetch(`${svc.url}/orbs/${helmOrb.meta.id}`, { headers: { 'if-none-match': `"other", ${etag}` } })).status).toBe(304);
    expect((await fetch(`${svc.url}/orbs/${helmOrb.meta.id}`, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);

    const raw = await fetch(`${svc.url}/orbs/${helmOrb.meta.id}/raw`);
    const rawEtag = raw.headers.get('etag');
    expect(rawEtag).toMatch(/^"[^"]+"$/);
    // Different bytes, different strong validator.
    expect(rawEtag).not.toBe(etag);
    const rawAgain = await fetch(`${svc.url}/orbs/${helmOrb.meta.id}/raw`, { headers: { 'if-none-match': rawEtag! } });
    expect(rawAgain.status).toBe(304);
    // The raw ETag is the digest the index lists.
    const index = (await (await fetch(`${svc.url}/index.json`)).json()) as { entries: Record<string, Array<{ version: string; etag: string }>> };
    expect(index.entries[helmOrb.meta.id]?.[0]?.etag).toBe(rawEtag);

    const rangeRes = await fetch(`${svc.url}/orbs/${ORB}/versions/~1.2.3`);
    const rangeTag = rangeRes.headers.get('etag')!;
    expect((await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.5`, { headers: { 'if-none-match': rangeTag } })).status).toBe(304);
    expect((await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.3`, { headers: { 'if-none-match': rangeTag } })).status).toBe(200);
  });

  it('downloads the files with the right content types', async () => {
    const yaml = await fetch(`${svc.url}/orbs/${helmOrb.meta.id}/raw`);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(yaml.headers.get('content-disposition')).toContain(helmOrb.filename);
    expect(await yaml.text()).toBe(helmOrb.content);
    const byAccept = await fetch(`${svc.url}/orbs/${helmOrb.meta.id}`, { headers: { accept: 'application/yaml' } });
    expect(byAccept.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(await byAccept.text()).toBe(helmOrb.content);
    const py = await fetch(`${svc.url}/runes/${helmRune.meta.id}/raw`);
    expect(py.headers.get('content-type')).toMatch(/^text\/x-python/);
    expect(await py.text()).toBe(helmRune.content);
    const pyAccept = await fetch(`${svc.url}/runes/${helmRune.meta.id}`, { headers: { accept: 'text/x-python' } });
    expect(pyAccept.headers.get('content-type')).toMatch(/^text\/x-python/);
    const asJson = await fetch(`${svc.url}/runes/${helmRune.meta.id}`);
    expect(asJson.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await asJson.json()) as { content: string }).content).toBe(helmRune.content);
    // An orb id under /runes is not a rune.
    expect((await fetch(`${svc.url}/runes/${helmOrb.meta.id}`)).status).toBe(400);
    expect((await fetch(`${svc.url}/orbs/orb.helm.nothing-here`)).status).toBe(404);
  });

  it('serves the index with an ETag and 304', async () => {
    const r = await fetch(`${svc.url}/index.json`);
    expect(r.status).toBe(200);
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    const index = (await r.json()) as { apiVersion: string; entries: Record<string, Array<{ version: string; urls: string[]; kind: string }>> };
    expect(index.apiVersion).toBe('v1');
    expect(Object.keys(index.entries).sort()).toEqual([ORB, dockerOrb.meta.id, helmOrb.meta.id, helmRune.meta.id, secRune.meta.id].sort());
    expect(index.entries[ORB]?.map((e) => e.version)).toEqual(['2.0.0-rc.1', '1.3.0', '1.2.5', '1.2.3', '1.2.0', '1.0.0']);
    expect(index.entries[secRune.meta.id]?.[0]?.kind).toBe('rune');
    // The listed URL serves that version.
    const url = index.entries[ORB]![1]!.urls[0]!;
    expect(((await (await fetch(svc.url + url)).json()) as { meta: { version: string } }).meta.version).toBe('1.3.0');
    const again = await fetch(`${svc.url}/index.json`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('ranks relevant artifacts first, and feedback changes the order', async () => {
    const search = async (q: string, extra = '') =>
      ((await (await fetch(`${svc.url}/search?q=${encodeURIComponent(q)}${extra}`)).json()) as { results: Array<{ id: string; score: number }> }).results;
    const helm = await search('helm chart upgrade');
    expect(helm[0]?.id).toMatch(/^(orb|rune)\.helm\.deploy$/);
    const docker = await search('docker image');
    expect(docker[0]?.id).toMatch(/\.docker\.image$/);
    const onlyRunes = await search('helm', '&kind=rune');
    expect(onlyRunes.length).toBeGreaterThan(0);
    expect(onlyRunes.every((h) => h.id.startsWith('rune.'))).toBe(true);
    const gha = await search('security', '&platform=gha');
    expect(gha.length).toBeGreaterThan(0);
    expect(gha.every((h) => h.id.endsWith('.gha.security'))).toBe(true);

    // The orb and rune of one group match the same words; whichever ranks second is proven by agents.
    const before = await search('helm chart');
    const [top, second] = before;
    expect(top && second).toBeTruthy();
    const boosted = second!.id;
    const version = boosted === helmOrb.meta.id ? helmOrb.meta.version : helmRune.meta.version;
    for (let i = 0; i < 15; i++) {
      const r = await fetch(`${svc.url}/feedback`, json({ artifact: boosted, version, outcome: 'success', agent: 'agent-rank', duration_ms: 1200 }));
      expect(r.status).toBe(202);
    }
    const after = await search('helm chart');
    expect(after[0]?.id).toBe(boosted);
    expect(after[0]!.score).toBeGreaterThan(second!.score);
  });

  it('records feedback, reports stats and triggers exactly one re-smith', async () => {
    const id = dockerOrb.meta.id;
    const version = dockerOrb.meta.version;
    const smithQueue = svc.ctx.queues.queue('whis.smith');
    const notes = ['docker push: unauthorized', 'registry login missing', 'docker push: unauthorized'];
    const answers: Array<{ resmith: { job: string } | null; stats: { failures: number } }> = [];
    await fetch(`${svc.url}/feedback`, json({ artifact: id, version, outcome: 'success', agent: 'a1' }));
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${svc.url}/feedback`, json({ artifact: id, version, outcome: 'failure', agent: `a${i}`, notes: notes[i % notes.length] }));
      expect(r.status).toBe(202);
      answers.push((await r.json()) as (typeof answers)[number]);
    }
    // Below the threshold nothing is enqueued; the third failure triggers; later ones do not repeat it.
    expect(answers.map((a) => a.resmith !== null)).toEqual([false, false, true, false, false, false]);
    const jobs = await smithQueue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    const resmiths = jobs.filter((j) => (j.data as { record: SanitizedRecord }).record.id.startsWith('resmith-'));
    expect(resmiths).toHaveLength(1);
    const rec = (resmiths[0]!.data as { record: SanitizedRecord }).record;
    expect(rec.classification.platform).toBe('docker');
    expect(rec.feedback_context?.some((n) => n.includes('docker push: unauthorized'))).toBe(true);
    expect(rec.feedback_context?.some((n) => n.includes('registry login missing'))).toBe(true);
    expect(rec.feedback_context?.every((n) => n.startsWith(`${id}@${version}`))).toBe(true);

    const stats = (await (await fetch(`${svc.url}/orbs/${id}/stats`)).json()) as {
      uses: number; successes: number; failures: number; success_rate: number; wilson_lower_bound: number;
      versions: Array<{ version: string; uses: number; failure_notes: string[] }>;
    };
    expect(stats).toMatchObject({ uses: 7, successes: 1, failures: 6 });
    expect(stats.success_rate).toBeCloseTo(1 / 7, 5);
    expect(stats.wilson_lower_bound).toBeGreaterThanOrEqual(0);
    expect(stats.wilson_lower_bound).toBeLessThan(1 / 7);
    expect(stats.versions).toHaveLength(1);
    expect(stats.versions[0]).toMatchObject({ version, uses: 7 });
    expect(stats.versions[0]!.failure_notes).toContain('registry login missing');

    const fresh = (await (await fetch(`${svc.url}/orbs/${helmOrb.meta.id}/stats`)).json()) as { uses: number };
    expect(fresh.uses).toBe(0);
    expect((await fetch(`${svc.url}/orbs/orb.none.none/stats`)).status).toBe(404);
  });

  it('refuses feedback for unknown artifacts or versions and bad outcomes', async () => {
    const unknown = await fetch(`${svc.url}/feedback`, json({ artifact: 'orb.nope.nothing', version: '1.0.0', outcome: 'success', agent: 'a' }));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrongVersion = await fetch(`${svc.url}/feedback`, json({ artifact: helmOrb.meta.id, version: '9.9.9', outcome: 'success', agent: 'a' }));
    expect(wrongVersion.status).toBe(404);
    const bad = await fetch(`${svc.url}/feedback`, json({ artifact: helmOrb.meta.id, version: helmOrb.meta.version, outcome: 'meh', agent: 'a' }));
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: Array<{ field: string }> } };
    expect(body.error.details.map((d) => d.field)).toContain('body.outcome');
  });

  it('deprecates and yanks versions with the reason served to agents', async () => {
    const reason = 'Uses a pinned action with a known CVE; move to 1.2.x';
    const dep = await fetch(`${svc.url}/orbs/${ORB}/versions/1.3.0/deprecate`, json({ reason }));
    expect(dep.status).toBe(200);
    expect(((await dep.json()) as { deprecated: { reason: string } }).deprecated.reason).toBe(reason);

    // Latest stable now prefers a non-deprecated version; the deprecated one still resolves exactly, with the notice.
    expect(((await (await fetch(`${svc.url}/orbs/${ORB}`)).json()) as { meta: { version: string } }).meta.version).toBe('1.2.5');
    const exact = await fetch(`${svc.url}/orbs/${ORB}/versions/1.3.0`);
    expect(exact.headers.get('deprecation')).toBe('true');
    expect(exact.headers.get('x-linkops-deprecated')).toBe(reason);
    expect(((await exact.json()) as { deprecated: { reason: string } }).deprecated.reason).toBe(reason);
    const rawDep = await fetch(`${svc.url}/orbs/${ORB}/versions/1.3.0`, { headers: { accept: 'application/yaml' } });
    expect(rawDep.headers.get('x-linkops-deprecated')).toBe(reason);

    // A cached copy taken before the notice revalidates into the notice, not a silent 304.
    const beforeYank = await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.5`);
    const oldTag = beforeYank.headers.get('etag')!;
    const yankReason = 'Leaks the registry token in logs.\nDo not use — replaced by 1.2.3.';
    const yank = await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.5/yank`, json({ reason: yankReason }));
    expect(yank.status).toBe(200);
    const revalidated = await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.5`, { headers: { 'if-none-match': oldTag } });
    expect(revalidated.status).toBe(200);
    expect(((await revalidated.json()) as { yanked: { reason: string } }).yanked.reason).toBe(yankReason);
    // Header values carry the reason as printable ASCII (the body has it verbatim).
    expect(revalidated.headers.get('x-linkops-yanked')).toBe('Leaks the registry token in logs. Do not use replaced by 1.2.3.');
    const newTag = revalidated.headers.get('etag')!;
    const notModified = await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.5`, { headers: { 'if-none-match': newTag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('x-linkops-yanked')).toBeTruthy();

    // Yanked versions never satisfy a range.
    const tilde = (await (await fetch(`${svc.url}/orbs/${ORB}/versions/~1.2.3`)).json()) as { meta: { version: string } };
    expect(tilde.meta.version).toBe('1.2.3');
    expect(((await (await fetch(`${svc.url}/orbs/${ORB}`)).json()) as { meta: { version: string } }).meta.version).toBe('1.2.3');
    // The index tells agents too.
    const index = (await (await fetch(`${svc.url}/index.json`)).json()) as { entries: Record<string, Array<{ version: string; yanked: boolean; yank_reason?: string; deprecated: boolean; deprecation_reason?: string }>> };
    const byVersion = new Map(index.entries[ORB]!.map((e) => [e.version, e]));
    expect(byVersion.get('1.2.5')).toMatchObject({ yanked: true, yank_reason: yankReason });
    expect(byVersion.get('1.3.0')).toMatchObject({ deprecated: true, deprecation_reason: reason });
    const versions = (await (await fetch(`${svc.url}/orbs/${ORB}/versions`)).json()) as { versions: Array<{ version: string; yanked: { reason: string } | null }> };
    expect(versions.versions.find((v) => v.version === '1.2.5')?.yanked?.reason).toBe(yankReason);

    // Unknown versions and missing reasons are refused.
    const missing = await fetch(`${svc.url}/orbs/${ORB}/versions/7.7.7/yank`, json({ reason: 'x' }));
    expect(missing.status).toBe(404);
    const noReason = await fetch(`${svc.url}/orbs/${ORB}/versions/1.2.0/deprecate`, json({ reason: '   ' }));
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { error: { details: Array<{ field: string }> } }).error.details[0]?.field).toBe('body.reason');
    const runeDep = await fetch(`${svc.url}/runes/${secRune.meta.id}/versions/${secRune.meta.version}/deprecate`, json({ reason: 'superseded' }));
    expect(runeDep.status).toBe(200);
    const rawRune = await fetch(`${svc.url}/runes/${secRune.meta.id}/raw`);
    expect(rawRune.headers.get('x-linkops-deprecated')).toBe('superseded');
  });

  it('keeps a published version immutable: a retry with the same bytes is a no-op', async () => {
    await publish(svc, { ...dockerOrb, filename: dockerOrb.filename });
    const conflicting = asVersion(dockerOrb, dockerOrb.meta.version);
    const jobId = await svc.ctx.queues.enqueue('whisPublish', { artifact: conflicting, record_ids: [] }, 'test-conflict');
    const q = svc.ctx.queues.queue('whis.publish');
    await waitFor(async () => ['failed', 'completed'].includes(await q.getJobState(jobId)) || (await q.getJob(jobId))?.attemptsMade, 15_000);
    const served = await fetch(`${svc.url}/orbs/${dockerOrb.meta.id}/raw`);
    expect(await served.text()).toBe(dockerOrb.content);
  });
});

describe('two whis_logic replicas on one DATA_DIR and Redis', () => {
  const data = tempDir('logic-replicas');
  const prefix = uniquePrefix('logic-rep');
  let a: RunningService;
  let b: RunningService;
  beforeAll(async () => {
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent' };
    a = await startService(service, { port: 0, env });
    b = await startService(service, { port: 0, env });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await clearPrefix(prefix);
    data.cleanup();
  });

  it('a publish on one replica is visible on the other within a second', async () => {
    const [orb] = smithArtifacts([HELM]) as [Artifact, Artifact];
    for (const [n, version] of [[0, '1.0.0'], [1, '1.1.0'], [2, '1.2.0']] as const) {
      const artifact = asVersion(orb, version);
      await publish(n % 2 ? b : a, artifact);
      // Whichever replica's worker took the job, the other must serve it within a second.
      const seenAt = await waitFor(async () => {
        for (const svc of [a, b]) if ((await fetch(`${svc.url}/orbs/${orb.meta.id}/versions/${version}`)).status === 200) return svc;
        return undefined;
      });
      const other = seenAt === a ? b : a;
      await waitFor(async () => ((await (await fetch(`${other.url}/orbs/${orb.meta.id}`)).json()) as { meta?: { version: string } }).meta?.version === version, 1000, 20);
      const search = (await (await fetch(`${other.url}/search?q=helm`)).json()) as { results: Array<{ id: string; version: string }> };
      expect(search.results.find((r) => r.id === orb.meta.id)?.version).toBe(version);
    }
    // A deprecation on one replica reaches the other too.
    await fetch(`${a.url}/orbs/${orb.meta.id}/versions/1.2.0/deprecate`, json({ reason: 'replica test' }));
    await waitFor(async () => (await fetch(`${b.url}/orbs/${orb.meta.id}/versions/1.2.0`)).headers.get('x-linkops-deprecated') === 'replica test', 1000, 20);
  });

  it('feedback recorded on one replica counts on the other within a second, once on each', async () => {
    const [orb] = smithArtifacts([DOCKER]) as [Artifact, Artifact];
    await publish(a, orb);
    for (const svc of [a, b]) await waitVisible(svc.url, 'orbs', orb.meta.id, orb.meta.version);
    const uses = async (svc: RunningService) => ((await (await fetch(`${svc.url}/orbs/${orb.meta.id}/stats`)).json()) as { uses: number }).uses;
    for (const [n, svc] of [a, b, a].entries()) {
      const r = await fetch(`${svc.url}/feedback`, json({ artifact: orb.meta.id, version: orb.meta.version, outcome: 'success', agent: `agent-${n}` }));
      expect(r.status).toBe(202);
      await waitFor(async () => (await uses(a)) === n + 1 && (await uses(b)) === n + 1, 1000, 20);
    }
    // A malformed broadcast is ignored, not counted and not fatal.
    const pub = new Redis(testRedisUrl());
    await pub.publish(`${prefix}:registry-feedback`, '{"replica":"x","event":{"artifact":"orb.x"}}');
    await pub.publish(`${prefix}:registry-feedback`, 'not json');
    await pub.quit();
    await new Promise((r) => setTimeout(r, 200));
    expect([await uses(a), await uses(b)]).toEqual([3, 3]);
  });
});
