import { describe, expect, it } from 'vitest';
import { check } from 'recheck';
import { SNIPPETS, snippetMatches, ACTION_PINS } from '../src/index.js';
import { WORD_SPLIT } from '../src/smith/match.js';
import { DOWNLOADER, EXPRESSION, SHELL_SINK, UNTRUSTED_CONTEXT, pipesDownloadToShell } from '../src/enhance/gha.js';
import { FULL_SHA } from '../src/enhance/pins.js';

describe('snippet library (rules as data)', () => {
  it('curl | sh detection', () => {
    expect(pipesDownloadToShell('curl -sL https://x/i.sh | sh')).toBe(true);
    expect(pipesDownloadToShell('wget -qO- https://x | sudo bash -s')).toBe(true);
    expect(pipesDownloadToShell('curl -sL https://x -o i.sh && sh i.sh')).toBe(false);
    expect(pipesDownloadToShell('cat file | sh')).toBe(false);
  });

  it('every snippet has vectors and they agree with the matcher', () => {
    const problems: string[] = [];
    for (const s of SNIPPETS) {
      if (s.positives.length === 0 || s.negatives.length === 0) problems.push(`${s.id}: missing vectors`);
      for (const p of s.positives) if (!snippetMatches(s, p)) problems.push(`${s.id}: should match ${JSON.stringify(p)}`);
      for (const n of s.negatives) if (snippetMatches(s, n)) problems.push(`${s.id}: should not match ${JSON.stringify(n)}`);
    }
    expect(problems).toEqual([]);
  });

  it('ids are unique and every GitHub action used has a curated 40-hex pin', () => {
    expect(new Set(SNIPPETS.map((s) => s.id)).size).toBe(SNIPPETS.length);
    const missing = SNIPPETS.flatMap((s) => (s.gha?.steps ?? []).flatMap((g) => (g.uses && !ACTION_PINS[g.uses] ? [`${s.id}: ${g.uses}`] : [])));
    expect(missing).toEqual([]);
    expect(ACTION_PINS['actions/checkout']).toBeDefined();
    for (const [name, pin] of Object.entries(ACTION_PINS)) expect(FULL_SHA.test(pin.sha), name).toBe(true);
  });

  it('every rune placeholder refers to a declared input', () => {
    const problems: string[] = [];
    for (const s of SNIPPETS) {
      const names = new Set(s.inputs.map((i) => i.name));
      const text = JSON.stringify(s.rune) + JSON.stringify(s.gha ?? {});
      for (const m of text.matchAll(/\$\{([a-z_]+)\}/g)) if (!names.has(m[1] ?? '')) problems.push(`${s.id}: \${${m[1]}}`);
      for (const m of text.matchAll(/inputs\.([a-z_]+)/g)) if (!names.has(m[1] ?? '')) problems.push(`${s.id}: inputs.${m[1]}`);
    }
    expect(problems).toEqual([]);
  });

  it('regexes are ReDoS-safe', { timeout: 120_000 }, async () => {
    const regexes = [WORD_SPLIT, EXPRESSION, UNTRUSTED_CONTEXT, DOWNLOADER, SHELL_SINK, FULL_SHA, /^(Version|Digest): .*$/gm, /^def step_\d+_([a-z0-9_]+)\(/gm, /[^a-z0-9]+/, /^[A-Za-z0-9_./:=@,+${}-]+$/, /,|;| then | and then /, /\.ya?ml$/, /^_|_$/g, /^github\.event\./, /[^A-Z0-9]+/g, /^\$\{\{|\}\}$/g];
    for (const r of regexes) {
      const result = await check(r.source, r.flags, { timeout: 10_000 });
      // 'unknown' means recheck gave up within its timeout; only a proven 'vulnerable' fails.
      expect(['safe', 'unknown'], r.source).toContain(result.status);
      expect(result.status, r.source).not.toBe('vulnerable');
    }
  });
});
