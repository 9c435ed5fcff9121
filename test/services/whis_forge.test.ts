import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startService, type Artifact, type RunningService, type SanitizedRecord } from '@linkops/shared';
import { smithArtifacts } from '@linkops/forge';
import { service as smithing } from '../../services/whis_smithing/src/service.js';
import { service as enhance } from '../../services/whis_enhance/src/service.js';
import { service as logic } from '../../services/whis_logic/src/service.js';
import { clearPrefix, tempDir, testRedisUrl, uniquePrefix, waitFor } from '../helpers/redis.js';

function record(id: string, task: string, platform: string, topic: string, steps: string[]): SanitizedRecord {
  return {
    id,
    task,
    answer: steps.join('. '),
    tags: ['test'],
    source: 'human',
    classification: { domain: topic, platform, topic, confidence: 0.9, evidence: [] },
    steps: steps.map((text, i) => ({ order: i + 1, text })),
    quality: { score: 0.9, reasons: [] },
    redactions: [],
    content_hash: `hash-${id}`,
  };
}

const SECURITY_STEPS = ['Add a workflow that runs on pull_request', 'Checkout the code', 'Run a secret scan and a dependency audit'];
const SECURITY = record('rec-forge-sec', 'Harden GitHub Actions security scanning', 'github-actions', 'security', SECURITY_STEPS);
const SECURITY_MORE = record('rec-forge-sec-2', 'Harden GitHub Actions security scanning', 'github-actions', 'security', [...SECURITY_STEPS, 'Upload SARIF to code scanning']);

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('smithing -> enhance -> publish, three services in-process', () => {
  const data = tempDir('forge');
  const prefix = uniquePrefix('forge');
  let smith: RunningService;
  let enh: RunningService;
  let reg: RunningService;

  beforeAll(async () => {
    const env = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: data.dir, LOG_LEVEL: 'silent' };
    [smith, enh, reg] = await Promise.all([
      startService(smithing, { port: 0, env }),
      startService(enhance, { port: 0, env }),
      startService(logic, { port: 0, env }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([smith?.stop(), enh?.stop(), reg?.stop()]);
    await clearPrefix(prefix);
    data.cleanup();
  });

  const versionsOf = async (kind: 'orbs' | 'runes', id: string): Promise<string[]> => {
    const r = await fetch(`${reg.url}/${kind}/${id}/versions`);
    if (r.status === 404) return [];
    return ((await r.json()) as { versions: Array<{ version: string }> }).versions.map((v) => v.version);
  };

  /** Enqueues on whis.smith and waits until that job and everything downstream of it has drained. */
  const smithAndDrain = async (rec: SanitizedRecord) => {
    const jobId = await smith.ctx.queues.enqueue('whisSmith', { record: rec }, `forge-${rec.id}`);
    const q = smith.ctx.queues.queue('whis.smith');
    await waitFor(async () => (await q.getJobState(jobId)) === 'completed', 20_000);
    const job = await q.getJob(jobId);
    for (const name of ['whis.enhance', 'whis.publish']) {
      await waitFor(async () => {
        const c = await smith.ctx.queues.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed');
        return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0 && (c.failed ?? 0) === 0;
      }, 20_000);
    }
    return (job?.returnvalue ?? {}) as { artifacts?: string[] };
  };

  it('publishes a sanitized record that enters whis.smith, and versions re-submissions by content', async () => {
    const out = await smithAndDrain(SECURITY);
    expect(out.artifacts).toEqual(['orb.gha.security@1.0.0', 'rune.gha.security@1.0.0']);
    await waitFor(async () => (await versionsOf('orbs', 'orb.gha.security')).length > 0 && (await versionsOf('runes', 'rune.gha.security')).length > 0);
    expect(await versionsOf('orbs', 'orb.gha.security')).toEqual(['1.0.0']);
    const orb = (await (await fetch(`${reg.url}/orbs/orb.gha.security`)).json()) as Artifact & { quality?: { score: number } };
    expect(orb.meta.provenance.records).toEqual([SECURITY.id]);
    expect(orb.quality?.score).toBeGreaterThanOrEqual(70);
    // Enhance's hardening is what got published: every action is pinned to a commit.
    const workflow = (parseYaml(orb.content) as { body: { workflow?: { jobs: Record<string, { steps: Array<{ uses?: string }> }> } } }).body.workflow;
    const uses = Object.values(workflow?.jobs ?? {}).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.every((u) => /@[0-9a-f]{40}$/.test(u))).toBe(true);

    // The same record again: nothing new to publish.
    const again = await smithAndDrain(SECURITY);
    expect(again.artifacts).toEqual(['orb.gha.security@1.0.0', 'rune.gha.security@1.0.0']);
    expect(await versionsOf('orbs', 'orb.gha.security')).toEqual(['1.0.0']);
    expect(await versionsOf('runes', 'rune.gha.security')).toEqual(['1.0.0']);

    // A second record in the group that adds a step: an additive change is a minor version.
    const more = await smithAndDrain(SECURITY_MORE);
    expect(more.artifacts).toContain('orb.gha.security@1.1.0');
    await waitFor(async () => (await versionsOf('orbs', 'orb.gha.security')).includes('1.1.0'));
    expect(await versionsOf('orbs', 'orb.gha.security')).toEqual(['1.1.0', '1.0.0']);
    const latest = (await (await fetch(`${reg.url}/orbs/orb.gha.security`)).json()) as Artifact;
    expect(latest.meta.version).toBe('1.1.0');
    expect(latest.meta.provenance.records.sort()).toEqual([SECURITY.id, SECURITY_MORE.id].sort());
  });

  it('agent failures on a published version re-smith it into a patch carrying the failure notes', async () => {
    const current = (await (await fetch(`${reg.url}/orbs/orb.gha.security`)).json()) as Artifact;
    const resmiths = async () => (await smith.ctx.queues.queue('whis.smith').getJobs(['completed', 'waiting', 'active', 'delayed'])).filter((j) => (j.data as { record: SanitizedRecord }).record.id.startsWith('resmith-'));
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${reg.url}/feedback`, post({ artifact: current.meta.id, version: current.meta.version, outcome: 'failure', agent: 'agent-x', notes: 'SARIF upload: resource not accessible by integration' }));
      expect(r.status).toBe(202);
    }
    await waitFor(async () => (await resmiths()).length === 1 && (await resmiths())[0]!.finishedOn !== undefined, 20_000);
    const next = await waitFor(async () => {
      const vs = await versionsOf('orbs', 'orb.gha.security');
      return vs.length === 3 ? vs : undefined;
    }, 20_000);
    expect(next[0]).toBe('1.1.1');
    const patched = (await (await fetch(`${reg.url}/orbs/orb.gha.security`)).json()) as Artifact;
    expect(patched.meta.version).toBe('1.1.1');
    expect(patched.meta.description).toContain('resource not accessible by integration');
    expect(patched.meta.supersedes).toBe(`orb.gha.security@${current.meta.version}`);
    // The re-smith adds no steps of its own: the step list is the group's.
    const steps = (o: Artifact) => (parseYaml(o.content) as { body: { steps: unknown[] } }).body.steps.length;
    expect(steps(patched)).toBe(steps(current));
  });

  it('POST /smith previews without publishing', async () => {
    const rec = record('rec-forge-preview', 'Containerise the app', 'docker', 'preview-only', ['Build the docker image', 'Ask the team lead for approval']);
    const r = await fetch(`${smith.url}/smith`, post(rec));
    expect(r.status).toBe(200);
    const body = (await r.json()) as { orb: Artifact; rune: Artifact; plan: Array<{ snippet: string | null; text: string }>; manual_steps: string[] };
    expect(body.orb.meta.id).toBe('orb.docker.preview-only');
    expect(body.rune.meta.id).toBe('rune.docker.preview-only');
    expect(body.rune.content).toContain('def ');
    expect(body.plan).toHaveLength(2);
    expect(body.plan[0]?.snippet).not.toBeNull();
    expect(body.manual_steps).toEqual(['Ask the team lead for approval']);
    // Preview only: nothing queued, nothing published.
    expect((await fetch(`${reg.url}/orbs/orb.docker.preview-only`)).status).toBe(404);
    const bad = await fetch(`${smith.url}/smith`, post({ ...rec, classification: undefined }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field)).toContain('body.classification');
  });

  it('POST /enhance leaves a hardened orb alone and hardens an unhardened one', async () => {
    const [orb] = smithArtifacts([SECURITY]) as [Artifact, Artifact];
    const hardened = await fetch(`${enh.url}/enhance`, post({ kind: 'orb', content: orb.content }));
    expect(hardened.status).toBe(200);
    const h = (await hardened.json()) as { content: string; score: number; decision: string; findings: string[]; artifact?: Artifact };
    expect(h.decision).toBe('publish');
    expect(h.score).toBe(100);
    expect(h.content).toBe(orb.content);
    expect(h.artifact?.meta.id).toBe('orb.gha.security');

    // The same orb with its workflow loosened: tag-pinned action, no permissions, attacker-controlled expression in run.
    const doc = parseYaml(orb.content) as { orb: Record<string, unknown>; body: Record<string, unknown> };
    doc.body.workflow = {
      name: 'scan',
      on: 'pull_request_target',
      jobs: {
        scan: {
          'runs-on': 'ubuntu-latest',
          steps: [{ uses: 'actions/checkout@v4' }, { run: 'echo "${{ github.event.pull_request.title }}"' }],
        },
      },
    };
    const { stringify } = await import('yaml');
    const loose = await fetch(`${enh.url}/enhance`, post({ kind: 'orb', content: stringify(doc) }));
    expect(loose.status).toBe(200);
    const l = (await loose.json()) as { content: string; score: number; findings: string[]; artifact?: Artifact };
    expect(l.findings.some((f) => f.startsWith('fixed') && f.includes('gha.unpinned-action'))).toBe(true);
    expect(l.findings.some((f) => f.includes('gha.expression-in-run'))).toBe(true);
    expect(l.content).toMatch(/actions\/checkout@[0-9a-f]{40}/);
    expect(l.content).not.toContain('run: echo "${{ github.event.pull_request.title }}"');
    expect(l.content).toMatch(/permissions:/);
    // The body changed, so the digest in the returned header follows it.
    expect(l.artifact?.meta.digest).not.toBe(orb.meta.digest);

    const rune = await fetch(`${enh.url}/enhance`, post({ kind: 'rune', content: 'import os\nos.system("rm -rf " + input())\n' }));
    expect(rune.status).toBe(200);
    const rr = (await rune.json()) as { score: number; findings: string[] };
    expect(rr.findings.length).toBeGreaterThan(0);
    expect(rr.score).toBeLessThan(100);
  });

  it('holds a low-scoring artifact for review instead of publishing it', async () => {
    const [orb] = smithArtifacts([record('rec-forge-broken', 'Broken orb', 'helm', 'broken', ['Create a Helm chart for the service'])]) as [Artifact, Artifact];
    const broken: Artifact = { ...orb, content: 'orb: [unclosed\nbody: {{{' };
    await enh.ctx.queues.enqueue('whisEnhance', { record_ids: ['rec-forge-broken'], artifacts: [broken] }, 'forge-review');
    const review = await waitFor(async () => {
      const r = (await (await fetch(`${enh.url}/review`)).json()) as { total: number; items: Array<{ artifact: { id: string }; score: number; findings: string[]; record_ids: string[] }> };
      return r.items.find((i) => i.artifact.id === orb.meta.id);
    }, 15_000);
    expect(review.score).toBeLessThan(70);
    expect(review.findings.some((f) => f.includes('critical'))).toBe(true);
    expect(review.record_ids).toEqual(['rec-forge-broken']);
    const pubCounts = await enh.ctx.queues.queue('whis.publish').getJobCounts('waiting', 'active', 'delayed');
    expect((pubCounts.waiting ?? 0) + (pubCounts.active ?? 0) + (pubCounts.delayed ?? 0)).toBe(0);
    expect((await fetch(`${reg.url}/orbs/${orb.meta.id}`)).status).toBe(404);
  });
});
