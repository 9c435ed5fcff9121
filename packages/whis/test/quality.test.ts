import { describe, expect, it } from 'vitest';
import { DEFAULT_QUALITY_THRESHOLD, looksLikeGibberish, qualityScore } from '../src/index.js';

const codes = (task: string, answer: string, redactions: Array<{ type: string; placeholder: string }> = []): string[] =>
  qualityScore({ task, answer }, redactions).reasons.map((r) => r.split(':')[0] ?? '');

describe('qualityScore', () => {
  it('the seed example scores full marks and passes the default threshold', () => {
    const q = qualityScore({ task: 'Convert repo to GitOps', answer: 'Add helm chart, ArgoCD app, update CI pipeline' });
    expect(q).toEqual({ score: 1, reasons: [] });
    expect(q.score).toBeGreaterThanOrEqual(DEFAULT_QUALITY_THRESHOLD);
  });

  it('flags a too-short answer', () => {
    expect(codes('Fix the deploy', 'done')).toContain('too_short');
  });

  it('flags an answer without an action verb', () => {
    expect(codes('Why is the build slow', 'The kubectl cache in the CI pipeline is probably stale')).toEqual(['no_action_verb']);
  });

  it('flags an answer without specifics', () => {
    expect(codes('Improve reliability', 'Make things better and check that stuff works as expected')).toEqual(['no_specifics']);
  });

  it('rejects an answer with neither an action nor anything named', () => {
    const q = qualityScore({ task: 'How should we handle deployments', answer: 'It really depends on many factors in the end' });
    expect(q.reasons.map((r) => r.split(':')[0])).toEqual(['no_action_verb', 'no_specifics', 'not_actionable']);
    expect(q.score).toBeLessThan(DEFAULT_QUALITY_THRESHOLD);
  });

  it('flags an answer that is mostly redacted', () => {
    const answer = 'Use [REDACTED:aws-access-key] [REDACTED:github-token] [REDACTED:email]';
    expect(codes('Rotate keys', answer, [{ type: 'aws-access-key', placeholder: '[REDACTED:aws-access-key]' }])).toContain('mostly_redacted');
  });

  it('flags an answer that just restates the task', () => {
    expect(codes('Restart the api deployment with kubectl', 'restart the API deployment with  kubectl')).toContain('answer_repeats_task');
  });

  it('flags gibberish and keeps tool names out of it', () => {
    expect(looksLikeGibberish('asdkjh qwrtzp xcvbnm kjhgf lkjhgfd')).toBe(true);
    expect(looksLikeGibberish('aaaaaaaaaaaaaaaaaaaaaa')).toBe(true);
    expect(looksLikeGibberish('Run kubectl rollout restart deploy/api then check with k9s and systemctl')).toBe(false);
    const q = qualityScore({ task: 'xkcdvb qwrtz', answer: 'Run zxcvbnm qwrtzpl sdfghjk kjhgfds mnbvcxz' });
    expect(q.reasons.some((r) => r.startsWith('gibberish'))).toBe(true);
    expect(q.score).toBeLessThan(DEFAULT_QUALITY_THRESHOLD);
  });

  it('accumulates penalties and clamps at 0', () => {
    const q = qualityScore({ task: 'x', answer: 'x' });
    expect(q.score).toBe(0);
    expect(q.reasons.length).toBeGreaterThanOrEqual(3);
  });
});
