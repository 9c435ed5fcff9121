import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { enhanceContent, smithArtifacts } from '@linkops/forge';
import { RepoUrlError, validateRepoUrl } from '@linkops/scan-core';
import { SECURITY, SEED } from '../../packages/forge/test/fixtures.js';
import { FIXTURE_FILES } from '../helpers/fixture-repo.js';
import { guarded, mutated, nastyString, structuredYaml, yamlish, runs } from './arbitraries.js';

const ORB_SEEDS = [...smithArtifacts([SEED]), ...smithArtifacts([SECURITY])].filter((a) => a.meta.kind === 'orb').map((a) => a.content);
const WORKFLOW = FIXTURE_FILES['.github/workflows/ci.yml']!;

describe('fuzz: forge enhanceContent (orb)', () => {
  it('never throws or hangs; score is 0-100 and the content is a string', async () => {
    expect(ORB_SEEDS.length).toBeGreaterThan(0);
    const input = fc.oneof(
      { weight: 1, arbitrary: nastyString },
      { weight: 1, arbitrary: yamlish },
      { weight: 2, arbitrary: structuredYaml(['on', 'jobs', 'steps', 'uses', 'run', 'with', 'permissions', 'runs-on', 'env', 'x-linkops', 'orb', 'id', 'version', 'meta', 'name']) },
      { weight: 4, arbitrary: fc.constantFrom(...ORB_SEEDS, WORKFLOW).chain((s) => mutated(s)) },
    );
    await fc.assert(
      fc.asyncProperty(input, async (content) => {
        const out = await guarded('enhanceContent', () => enhanceContent('orb', content), 5000);
        expect(typeof out.content).toBe('string');
        expect(out.score).toBeGreaterThanOrEqual(0);
        expect(out.score).toBeLessThanOrEqual(100);
        expect(['publish', 'review']).toContain(out.decision);
        // Whatever it hands back as YAML must itself parse when it claims to have hardened something.
        if (out.findings.some((f) => f.startsWith('fixed'))) expect(() => YAML.parse(out.content)).not.toThrow();
      }),
      { numRuns: runs(100) },
    );
  });
});

describe('fuzz: forge enhanceContent (rune, few runs: each spawns python)', () => {
  it('never throws or hangs on arbitrary Python-ish text', async () => {
    const rune = smithArtifacts([SECURITY]).find((a) => a.meta.kind === 'rune')!.content;
    const input = fc.oneof(nastyString, mutated(rune), fc.constantFrom('import os\nos.system("rm -rf /")\n', 'def main(:\n', 'while True: pass\n', '\x00'));
    await fc.assert(
      fc.asyncProperty(input, async (content) => {
        const out = await guarded('enhanceContent(rune)', () => enhanceContent('rune', content), 15_000);
        expect(typeof out.content).toBe('string');
        expect(out.score).toBeGreaterThanOrEqual(0);
        expect(out.score).toBeLessThanOrEqual(100);
      }),
      { numRuns: runs(12) },
    );
  }, 120_000);
});

describe('fuzz: scan-core validateRepoUrl', () => {
  const PRIVATE = ['10.0.0.1', '127.0.0.1', '169.254.169.254', '192.168.1.1', '172.16.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0', '100.64.0.1'];
  const PUBLIC = ['140.82.112.3', '20.27.177.113', '2606:50c0:8000::153'];
  const urlish = fc.oneof(
    nastyString,
    fc.webUrl({ withQueryParameters: true, withFragments: true, validSchemes: ['https', 'http', 'ssh', 'git', 'file'] }),
    fc
      .tuple(
        fc.constantFrom('https://', 'http://', 'HTTPS://', 'git@', 'ssh://', 'file://', 'ext::', '', '-', '/'),
        fc.constantFrom('github.com', 'GitHub.com.', 'gitlab.com', 'evil.com', 'github.com.evil.com', '127.0.0.1', '[::1]', '0x7f000001', 'user:pw@github.com', 'github.com:22', 'github.com:443'),
        fc.array(fc.oneof(fc.constantFrom('org', 'repo.git', '..', '%2e%2e', '-u', '.', '', 'a b', '$(id)', 'ünï'), fc.string({ maxLength: 6 })), { maxLength: 4 }),
      )
      .map(([s, h, p]) => `${s}${h}/${p.join('/')}`),
  );
  const answers = fc.oneof(
    fc.array(fc.constantFrom(...PUBLIC), { minLength: 1, maxLength: 3 }),
    fc.array(fc.constantFrom(...PUBLIC, ...PRIVATE), { minLength: 1, maxLength: 3 }),
    fc.constant([] as string[]),
    fc.constant(null),
  );

  it('resolves to an allowed https URL or rejects with RepoUrlError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(urlish, answers, fc.boolean(), async (input, addrs, allowLocal) => {
        const resolve = async (_host: string) => {
          if (addrs === null) throw new Error('ENOTFOUND');
          return addrs;
        };
        let out;
        try {
          out = await guarded('validateRepoUrl', () => validateRepoUrl(input, { allowLocal, resolve }));
        } catch (err) {
          if (err instanceof RepoUrlError) return;
          throw err;
        }
        if (out.kind === 'local') {
          expect(allowLocal).toBe(true);
          return;
        }
        expect(out.url.startsWith('https://')).toBe(true);
        expect(['github.com', 'gitlab.com', 'bitbucket.org']).toContain(out.host);
        expect(out.url).not.toMatch(/[@?#%\s]/);
        expect(addrs?.some((a) => PRIVATE.includes(a))).toBe(false);
      }),
      { numRuns: runs(300) },
    );
  });
});
