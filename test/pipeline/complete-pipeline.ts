// The complete Whis pipeline, end to end, as an agent sees it: boots the whole fleet on a private Redis,
// submits the seed example to whis_data_input, waits for the orb and rune to be published, fetches
// both through the typed client, reports feedback and checks the record's journey.
// Run: scripts/test-complete-pipeline (part of the test command). Exit 0 = the pipeline holds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LinkOpsClient } from '@linkops/client';
import { bootFleet } from '../helpers/fleet.js';
import { DisposableRedisProcess } from './redis-process.js';

const SEED = { task: 'Convert repo to GitOps', answer: 'Add helm chart, ArgoCD app, update CI pipeline' };
let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail = '') {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? '  ✓' : '  ✗'} ${name}${detail ? ` — ${detail}` : ''}\n`);
}
async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const redis = await DisposableRedisProcess.start();
const fleet = await bootFleet({ redisUrl: redis.url });
const work = mkdtempSync(join(tmpdir(), 'linkops-pipeline-'));
try {
  const client = new LinkOpsClient({ logicUrl: fleet.urls.whis_logic!, dataUrl: fleet.urls.whis_data_input!, auditUrl: fleet.urls.audit_assess! });
  const submitted = await client.submit(SEED);
  check('seed pair accepted by whis_data_input', typeof submitted.id === 'string', submitted.id);

  const orbId = await until(
    'the GitOps orb to be published',
    async () => {
      const hits = await client.search('gitops', { kind: 'orb' });
      return hits.find((h) => h.id.startsWith('orb.'))?.id;
    },
    90_000,
  );
  check('a GitOps orb is published and found by search', /gitops|argocd/.test(orbId), orbId);

  const orb = await client.getOrb(orbId);
  const doc = parseYaml(orb.content) as unknown;
  const text = JSON.stringify(doc).toLowerCase();
  check('orb YAML parses and names its file orb.<platform>.<topic>.v<major>.yaml', /^orb\.[a-z0-9-]+\.[a-z0-9-]+\.v\d+\.yaml$/.test(orb.filename), orb.filename);
  check('orb body has a Helm chart step, an Argo CD Application and a CI workflow', text.includes('helm') && text.includes('"kind":"application"') && (text.includes('workflow') || text.includes('"jobs"')));

  const runeId = orbId.replace(/^orb\./, 'rune.');
  const rune = await until('the matching rune', async () => client.getRune(runeId), 30_000);
  const runeFile = join(work, rune.filename);
  writeFileSync(runeFile, rune.content);
  let compiles = true;
  try {
    execFileSync('python3', ['-m', 'py_compile', runeFile], { stdio: 'pipe' });
  } catch {
    compiles = false;
  }
  check('rune compiles with python3', compiles, rune.filename);
  const dry = execFileSync('python3', [runeFile, '--dry-run'], { encoding: 'utf8', timeout: 30_000 }).toLowerCase();
  check('rune --dry-run prints the helm, argo cd and CI steps', dry.includes('helm') && dry.includes('argo') && /ci|workflow|pipeline/.test(dry));

  const fb = (await client.reportFeedback({ artifact: orbId, version: orb.meta.version, outcome: 'success', agent: 'pipeline-test', duration_ms: 1200 })) as { recorded?: boolean };
  check('feedback recorded', fb.recorded === true);

  const journey = await until(
    'the journey to reach published',
    async () => {
      const events = await client.journey(submitted.id);
      return events.some((e) => e.stage === 'published') ? events : undefined;
    },
    30_000,
  );
  const stages = journey.map((e) => e.stage);
  check('journey: received → sanitized → smithed → enhanced → published', (['received', 'sanitized', 'smithed', 'enhanced', 'published'] as const).every((s) => stages.includes(s)), stages.join(' → '));
} catch (err) {
  check('pipeline ran to the end', false, (err as Error).message);
  for (const s of ['whis_sanitize', 'whis_smithing', 'whis_enhance', 'whis_logic']) {
    process.stdout.write(`--- ${s} log tail\n${fleet.logOf(s).split('\n').slice(-8).join('\n')}\n`);
  }
} finally {
  await fleet.stop();
  await redis.stop();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`complete pipeline: ${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
