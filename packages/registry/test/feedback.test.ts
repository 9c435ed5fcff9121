import { appendFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Feedback } from '@linkops/shared/contracts';
import { FeedbackLog, FeedbackStats, shouldResmith, wilsonLowerBound } from '../src/index.js';
import { tempDir } from './helpers.js';

const fb = (outcome: 'success' | 'failure', version = '1.0.0', notes?: string): Feedback => ({
  artifact: 'orb.gha.security',
  version,
  outcome,
  agent: 'agent-1',
  ...(notes ? { notes } : {}),
});

describe('wilsonLowerBound', () => {
  // Reference values from the closed form (e.g. Evan Miller, "How Not To Sort By Average Rating"),
  // z = 1.96: 0/0 -> 0, 1/1 -> 0.2065, 5/10 -> 0.2366, 9/10 -> 0.5958, 95/100 -> 0.8882, 0/10 -> 0.
  it.each([
    [0, 0, 0],
    [1, 1, 0.2065],
    [5, 10, 0.2366],
    [9, 10, 0.5958],
    [95, 100, 0.8882],
    [0, 10, 0],
  ])('%i/%i -> %f', (s, n, expected) => {
    expect(wilsonLowerBound(s, n)).toBeCloseTo(expected, 4);
  });

  it('ranks 95/100 above 1/1 and grows with evidence', () => {
    expect(wilsonLowerBound(95, 100)).toBeGreaterThan(wilsonLowerBound(1, 1));
    expect(wilsonLowerBound(90, 100)).toBeGreaterThan(wilsonLowerBound(9, 10));
  });
});

describe('FeedbackStats', () => {
  it('counts uses, rate and bound per artifact and per version', () => {
    const stats = new FeedbackStats([fb('success'), fb('success'), fb('failure', '1.0.0', 'step 2 failed'), fb('success', '1.1.0')]);
    const all = stats.forArtifact('orb.gha.security');
    expect(all).toMatchObject({ uses: 4, successes: 3, failures: 1, success_rate: 0.75 });
    expect(all.wilson_lower_bound).toBeCloseTo(wilsonLowerBound(3, 4), 10);
    const v1 = stats.forVersion('orb.gha.security', '1.0.0');
    expect(v1).toMatchObject({ version: '1.0.0', uses: 3, failures: 1, failure_notes: ['step 2 failed'] });
    expect(stats.forVersion('orb.gha.security', '9.9.9')).toMatchObject({ uses: 0, success_rate: null, wilson_lower_bound: 0 });
    expect(stats.quality('orb.gha.security')).toBe(all.wilson_lower_bound);
  });

  it('reports a declining trend (last N vs previous N)', () => {
    const stats = new FeedbackStats([], { trendWindow: 4 });
    for (let i = 0; i < 4; i++) stats.add(fb('success'));
    for (let i = 0; i < 3; i++) stats.add(fb('failure'));
    stats.add(fb('success'));
    const t = stats.forArtifact('orb.gha.security').trend;
    expect(t).toMatchObject({ window: 4, recent_uses: 4, previous_uses: 4, recent_rate: 0.25, previous_rate: 1, direction: 'declining' });
    expect(t.delta).toBeCloseTo(-0.75, 10);
  });

  it('reports improving, steady and insufficient trends', () => {
    const improving = new FeedbackStats([fb('failure'), fb('failure'), fb('success'), fb('success')], { trendWindow: 2 });
    expect(improving.forArtifact('orb.gha.security').trend.direction).toBe('improving');
    const steady = new FeedbackStats([fb('success'), fb('failure'), fb('failure'), fb('success')], { trendWindow: 2 });
    expect(steady.forArtifact('orb.gha.security').trend.direction).toBe('steady');
    const few = new FeedbackStats([fb('success')], { trendWindow: 2 });
    expect(few.forArtifact('orb.gha.security').trend.direction).toBe('insufficient');
  });

  it('keeps only the newest failure notes', () => {
    const stats = new FeedbackStats([], { maxNotes: 2 });
    for (const n of ['a', 'b', 'c']) stats.add(fb('failure', '1.0.0', n));
    expect(stats.forArtifact('orb.gha.security').failure_notes).toEqual(['b', 'c']);
  });
});

describe('shouldResmith', () => {
  it('triggers on enough failures at a high enough rate and passes the notes', () => {
    const stats = new FeedbackStats([
      fb('failure', '1.0.0', 'checkout@v4 needs fetch-depth 0'),
      fb('failure', '1.0.0', 'gitleaks not installed'),
      fb('success'),
      fb('failure', '1.0.0', 'gitleaks not installed'),
      fb('failure', '1.0.0'),
    ]);
    const d = shouldResmith(stats.forVersion('orb.gha.security', '1.0.0'), { minFailures: 3, failureRate: 0.5 });
    expect(d.resmith).toBe(true);
    expect(d.notes).toEqual(['checkout@v4 needs fetch-depth 0', 'gitleaks not installed']);
    expect(d.reason).toContain('4/5');
  });

  it('does not trigger below the failure count or the failure rate', () => {
    const few = new FeedbackStats([fb('failure'), fb('failure')]);
    expect(shouldResmith(few.forVersion('orb.gha.security', '1.0.0'), { minFailures: 3 }).resmith).toBe(false);
    const mostlyOk = new FeedbackStats([...Array(3)].map(() => fb('failure')).concat([...Array(7)].map(() => fb('success'))));
    const d = shouldResmith(mostlyOk.forVersion('orb.gha.security', '1.0.0'), { minFailures: 3, failureRate: 0.5 });
    expect(d).toMatchObject({ resmith: false, notes: [] });
    expect(shouldResmith(mostlyOk.forVersion('orb.gha.security', '1.0.0'), { minFailures: 3, failureRate: 0.3 }).resmith).toBe(true);
  });
});

describe('FeedbackLog', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(async () => cleanup());

  it('appends validated events as JSONL and reads them back, skipping torn lines', async () => {
    const log = new FeedbackLog({ dir, now: () => new Date('2025-01-01T00:00:00Z') });
    await log.append(fb('success'));
    await log.append(fb('failure', '1.0.0', 'boom'));
    await expect(log.append({ ...fb('success'), outcome: 'meh' } as unknown as Feedback)).rejects.toThrow();
    await appendFile(log.path, '{"artifact":"orb.gha.sec');
    const events = await new FeedbackLog({ dir }).readAll();
    expect(events.map((e) => e.outcome)).toEqual(['success', 'failure']);
    expect(events[0]?.at).toBe('2025-01-01T00:00:00.000Z');
    const stats = await log.stats();
    expect(stats.forArtifact('orb.gha.security').uses).toBe(2);
  });

  it('gives each event an id, and stats count an event heard of twice once (replica broadcasts)', async () => {
    const log = new FeedbackLog({ dir });
    const first = await log.append(fb('success'));
    const second = await log.append(fb('failure', '1.0.0', 'boom'));
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.id).not.toBe(first.id);
    const stats = await log.stats();
    stats.add(first);
    stats.add({ ...second });
    expect(stats.forArtifact('orb.gha.security').uses).toBe(2);
    stats.add({ ...first, id: 'another-event' });
    expect(stats.forArtifact('orb.gha.security').uses).toBe(3);
    // Lines written before ids existed still count, each on its own.
    await appendFile(log.path, JSON.stringify({ ...fb('success'), at: '2025-01-01T00:00:00.000Z' }) + '\n');
    expect((await log.stats()).forArtifact('orb.gha.security').uses).toBe(3);
  });

  it('reads an empty list when nothing was logged', async () => {
    expect(await new FeedbackLog({ dir }).readAll()).toEqual([]);
  });
});
