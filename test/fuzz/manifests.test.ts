import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifest, type ParseResult } from '@linkops/vulns';
import { CRASH_SIGNS, fixture, guarded, jsonish, mutated, nastyString, structuredYaml, yamlish, runs, fuzzTimeout } from './arbitraries.js';

const FX = 'packages/vulns/test/fixtures';

/** Every file name parseManifest dispatches on, with real fixtures to mutate (package.json has none: a small real one). */
const MANIFESTS: Array<{ name: string; fixtures: string[]; keys: string[] }> = [
  { name: 'package-lock.json', fixtures: [fixture(`${FX}/npm-v1/NodeGoat-package-lock.json`), fixture(`${FX}/npm-v3/jquery-package-lock.json`)], keys: ['lockfileVersion', 'packages', 'dependencies', 'version', 'dev', 'requires', 'node_modules/a'] },
  { name: 'yarn.lock', fixtures: [fixture(`${FX}/yarn-v1/webpack-yarn.lock`), fixture(`${FX}/yarn-berry/prettier-yarn.lock`)], keys: ['__metadata', 'version', 'resolution', 'a@npm:^1.0.0', 'dependencies'] },
  { name: 'pnpm-lock.yaml', fixtures: [fixture(`${FX}/pnpm-v6/vuejs-core-pnpm-lock.yaml`), fixture(`${FX}/pnpm-v9/vuejs-core-pnpm-lock.yaml`)], keys: ['lockfileVersion', 'importers', 'packages', 'snapshots', 'dependencies', 'devDependencies', 'specifier', 'version', '/a@1.0.0', 'a@1.0.0'] },
  {
    name: 'package.json',
    fixtures: [JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { express: '4.17.1', lodash: '^4.17.15' }, devDependencies: { vitest: '~1.0.0' }, optionalDependencies: { a: 'file:../a' } }, null, 2)],
    keys: ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies', 'name', 'version'],
  },
  { name: 'requirements.txt', fixtures: [fixture(`${FX}/pip-requirements/dvpwa-requirements.txt`), fixture(`${FX}/pip-requirements/requests-requirements-dev.txt`)], keys: [] },
  { name: 'Pipfile.lock', fixtures: [fixture(`${FX}/pipenv/pipenv-Pipfile.lock`)], keys: ['_meta', 'default', 'develop', 'version', 'hashes'] },
  { name: 'poetry.lock', fixtures: [fixture(`${FX}/poetry/poetry-poetry.lock`)], keys: [] },
  { name: 'uv.lock', fixtures: [fixture(`${FX}/uv/pydantic-uv.lock`)], keys: [] },
  { name: 'go.mod', fixtures: [fixture(`${FX}/gomod/gin-go.mod`), fixture(`${FX}/gomod/gin-2021-go.mod`)], keys: [] },
  { name: 'go.sum', fixtures: [fixture(`${FX}/gomod/gin-go.sum`)], keys: [] },
  { name: 'Cargo.lock', fixtures: [fixture(`${FX}/cargo/starship-Cargo.lock`)], keys: [] },
  { name: 'Gemfile.lock', fixtures: [fixture(`${FX}/bundler/railsgoat-Gemfile.lock`)], keys: [] },
  { name: 'composer.lock', fixtures: [fixture(`${FX}/composer/DVWA-composer.lock`)], keys: ['packages', 'packages-dev', 'name', 'version'] },
  { name: 'pom.xml', fixtures: [fixture(`${FX}/maven/WebGoat-pom.xml`, 40_000)], keys: [] },
  { name: 'gradle.lockfile', fixtures: [fixture(`${FX}/gradle/vulnerable-java-application-gradle.lockfile`)], keys: [] },
  { name: 'packages.lock.json', fixtures: [fixture(`${FX}/nuget/bitwarden-server-Api-packages.lock.json`)], keys: ['version', 'dependencies', 'net8.0', 'type', 'resolved', 'Direct', 'Transitive'] },
];

function checkResult(name: string, input: string, r: ParseResult): void {
  expect(Array.isArray(r.packages), `${name}: packages is an array`).toBe(true);
  expect(Array.isArray(r.warnings), `${name}: warnings is an array`).toBe(true);
  for (const p of r.packages) {
    expect(typeof p.name, `${name}: package name`).toBe('string');
    expect(typeof p.version, `${name}: package version`).toBe('string');
    expect(p.file).toBe(name);
    expect(Number.isInteger(p.line) && p.line >= 1, `${name}: line ${p.line} is a 1-based integer`).toBe(true);
  }
  // parseManifest turns a parser exception into a warning; a TypeError there is a parser bug, not a verdict.
  const crash = r.warnings.find((w) => CRASH_SIGNS.test(w));
  if (crash) throw new Error(`${name} crashed on its input: ${crash}\ninput: ${JSON.stringify(input.slice(0, 400))}`);
}

/** A structured JSON document with the keys a parser looks for (reaches the code past the first type check). */
function structuredJson(keys: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 }));
  const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('1.0.0', '^1.2.3', 'npm:a@1', 'file:..', 'git+https://x/y.git'));
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 5 })),
  })).v;
  return fc.dictionary(key, value, { maxKeys: 6 }).map((o) => JSON.stringify(o));
}

describe('fuzz: parseManifest never throws, never hangs, never crashes inside a parser', { timeout: fuzzTimeout() }, () => {
  for (const m of MANIFESTS) {
    it(m.name, async () => {
      const inputs = fc.oneof(
        { weight: 2, arbitrary: nastyString },
        { weight: 1, arbitrary: jsonish },
        { weight: 1, arbitrary: yamlish },
        { weight: 4, arbitrary: fc.constantFrom(...m.fixtures).chain((f) => mutated(f)) },
        ...(m.keys.length ? [{ weight: 3, arbitrary: m.name.endsWith('.yaml') || m.name.endsWith('.lock') && m.name.startsWith('yarn') ? structuredYaml(m.keys) : structuredJson(m.keys) }] : []),
      );
      await fc.assert(
        fc.asyncProperty(inputs, async (content) => {
          // requirements files may include others: the reader hands back the same (mutated) text, a self-include.
          const r = await guarded(m.name, () => parseManifest(m.name, content, () => content));
          checkResult(m.name, content, r);
        }),
        { numRuns: runs(150) },
      );
    });
  }

  it('the unmutated fixtures parse to packages (the property above exercises real parsers)', async () => {
    for (const m of MANIFESTS) {
      const r = await parseManifest(m.name, m.fixtures[0]!);
      expect(r.packages.length, m.name).toBeGreaterThan(0);
    }
  });
});
