import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SubmissionSchema } from '@linkops/shared/contracts';
import { normalizeSubmission, sanitizeRecord } from '../src/index.js';

// Generators for planted values, each producing a value that must never survive sanitizing.
const upperAlnum = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const alnum = [...upperAlnum, ...'abcdefghijklmnopqrstuvwxyz'.split('')];
const str = (chars: string[], n: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...chars), { minLength: n, maxLength: n }).map((a) => a.join(''));
const digits = (n: number): fc.Arbitrary<string> => str('0123456789'.split(''), n);

function luhnComplete(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const candidate = body + d;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let v = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

function gbIban(bank: string, account: string): string {
  const bban = `${bank}${account}`;
  const numeric = `${bban}GB00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return `GB${String(98 - rem).padStart(2, '0')}${bban}`;
}

const planted = fc.oneof(
  str(upperAlnum, 16).map((s) => ({ kind: 'aws', value: `AKIA${s}` })),
  str(alnum, 36).map((s) => ({ kind: 'github', value: `ghp_${s}` })),
  fc.tuple(str('abcdefghijklmnopqrstuvwxyz'.split(''), 6), fc.constantFrom('example.com', 'corp.acme.io', 'mail.co.uk')).map(([u, d]) => ({ kind: 'email', value: `${u}.ops@${d}` })),
  digits(4).map((d) => ({ kind: 'phone', value: `+1 415-555-${d}` })),
  digits(3).map((d) => ({ kind: 'phone', value: `+44 20 7946 0${d}` })),
  fc.tuple(fc.integer({ min: 11, max: 99 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((o) => ({ kind: 'ipv4', value: o.join('.') })),
  digits(14).map((d) => ({ kind: 'card', value: luhnComplete(`4${d}`) })),
  fc.tuple(str('ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''), 4), digits(14)).map(([b, a]) => ({ kind: 'iban', value: gbIban(b, a) })),
  str(alnum, 40).map((s) => ({ kind: 'private-key', value: `-----BEGIN RSA PRIVATE KEY-----\nMIIEow${s}\n${s}Qab\n-----END RSA PRIVATE KEY-----` })),
  str(alnum, 14).map((s) => ({ kind: 'password', value: `Pw${s}9x`, render: (v: string) => `DB_PASSWORD=${v}` })),
);

/** Parts of the value that must not appear anywhere (a long-enough slice catches partial leaks). */
function leakProbes(kind: string, value: string): string[] {
  if (kind === 'private-key') return value.split('\n').slice(1, -1);
  if (kind === 'phone') return [value, value.replace(/\D/g, '').slice(-7)];
  if (kind === 'card' || kind === 'iban') return [value, value.slice(4, 14)];
  return [value];
}

const prose = fc.constantFrom(
  'Rotate the credentials for the staging cluster',
  'then run kubectl rollout restart deploy/api -n prod',
  'Update the GitHub Actions secret and re-run the workflow',
  'helm upgrade --install api ./chart -f values-prod.yaml',
  'Ping the on-call engineer if the alert fires again.',
  'terraform apply -target=module.db',
  '',
);
const wrap = fc.constantFrom(
  (v: string) => ` ${v} `,
  (v: string) => `\n${v}\n`,
  (v: string) => ` "${v}" `,
  (v: string) => ` \`${v}\` `,
  (v: string) => ` (${v}), `,
  (v: string) => ` key=${v}; `,
  (v: string) => `\n\`\`\`\n${v}\n\`\`\`\n`,
  (v: string) => ` <code>${v}</code> `,
);

describe('sanitizing never leaks planted secrets or PII', () => {
  it('serialized sanitize result contains none of the planted values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(planted, wrap, prose, fc.constantFrom('task', 'answer', 'tags')), { minLength: 1, maxLength: 5 }),
        prose,
        (plants, tail) => {
          let task = 'Rotate the deploy key';
          let answer = 'Replace the old key in the CI secrets';
          const tags: string[] = ['security'];
          const probes: string[] = [];
          for (const [plant, wrapper, text, field] of plants) {
            const rendered = 'render' in plant && plant.render ? plant.render(plant.value) : plant.value;
            probes.push(...leakProbes(plant.kind, plant.value));
            if (field === 'task') task += wrapper(rendered) + text;
            else if (field === 'answer') answer += wrapper(rendered) + text;
            else if (!rendered.includes('\n')) tags.push(rendered.slice(0, 64));
          }
          answer += ` ${tail}`;
          const record = normalizeSubmission(SubmissionSchema.parse({ task, answer, tags }), new Date('2026-01-01T00:00:00Z'));
          const serialized = JSON.stringify(sanitizeRecord(record));
          const leaked = probes.filter((p) => p.length >= 6 && serialized.includes(p));
          expect(leaked).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 20260101 },
    );
  });
});
