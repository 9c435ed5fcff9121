import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isManifest, parseManifest, parsePnpmKey, type Package, type ParseResult } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const read = (p: string): string => readFileSync(join(FIXTURES, p), 'utf8');

/** Parses a fixture under the canonical manifest name the repository would use. */
async function parseFixture(fixture: string, asName: string): Promise<ParseResult> {
  return parseManifest(asName, read(fixture));
}

function find(r: ParseResult, name: string, version?: string): Package | undefined {
  return r.packages.find((p) => p.name === name && (version === undefined || p.version === version));
}

function lineText(fixture: string, line: number): string {
  return read(fixture).split('\n')[line - 1] ?? '';
}

describe('npm lockfiles', () => {
  it('package-lock v1 (NodeGoat): nested dependencies, dev flags, aliases skipped', async () => {
    const r = await parseFixture('npm-v1/NodeGoat-package-lock.json', 'package-lock.json');
    expect(r.warnings).toEqual([]);
    expect(r.packages).toHaveLength(1475);
    expect(r.packages.every((p) => p.ecosystem === 'npm')).toBe(true);
    const minimist = r.packages.filter((p) => p.name === 'minimist');
    expect(minimist.length).toBeGreaterThan(3);
    expect(find(r, 'marked')).toMatchObject({ version: '0.3.9', direct: true });
    expect(r.packages.filter((p) => p.dev).length).toBe(1012);
  });

  it('package-lock v2 (NodeGoat): flat packages map, direct from the root entry, lines', async () => {
    const r = await parseFixture('npm-v2/NodeGoat-package-lock.json', 'package-lock.json');
    expect(r.packages).toHaveLength(1479);
    const express = find(r, 'express', '4.16.4');
    expect(express).toMatchObject({ direct: true, file: 'package-lock.json', line: 2684 });
    expect(lineText('npm-v2/NodeGoat-package-lock.json', express!.line)).toContain('"node_modules/express"');
    expect(r.packages.filter((p) => p.direct).map((p) => p.name)).toContain('mongodb');
  });

  it('package-lock v3 (jquery) and npm-shrinkwrap.json share the parser', async () => {
    const r = await parseFixture('npm-v3/jquery-package-lock.json', 'package-lock.json');
    expect(r.packages).toHaveLength(820);
    const s = await parseFixture('npm-v3/security-wg-package-lock.json', 'npm-shrinkwrap.json');
    expect(s.packages).toHaveLength(54);
    expect(find(s, '@hapi/hoek')).toMatchObject({ version: '9.3.0', line: 17 });
  });

  it('package.json reports ranges as unpinned and exact versions as pinned', async () => {
    const r = await parseManifest(
      'web/package.json',
      JSON.stringify({ dependencies: { express: '4.17.1', lodash: '^4.17.15' }, devDependencies: { jest: '~29.0.0' } }, null, 2),
    );
    expect(find(r, 'express')).toMatchObject({ version: '4.17.1', direct: true, line: 3 });
    expect(find(r, 'express')!.unpinned).toBeUndefined();
    expect(find(r, 'lodash')).toMatchObject({ version: '^4.17.15', unpinned: true });
    expect(find(r, 'jest')).toMatchObject({ dev: true, unpinned: true });
  });
});

describe('yarn and pnpm lockfiles', () => {
  it('yarn.lock v1 (webpack): one package per entry, line of the entry header', async () => {
    const r = await parseFixture('yarn-v1/webpack-yarn.lock', 'yarn.lock');
    expect(r.packages).toHaveLength(1397);
    expect(find(r, 'acorn', '7.4.1')).toMatchObject({ line: 2862 });
    expect(find(r, '@apidevtools/json-schema-ref-parser')).toMatchObject({ version: '11.9.3', line: 5 });
  });

  it('yarn.lock berry (prettier): npm resolutions only, direct from the workspace entry', async () => {
    const r = await parseFixture('yarn-berry/prettier-yarn.lock', 'yarn.lock');
    expect(r.packages).toHaveLength(1049);
    expect(find(r, 'lodash', '4.18.1')).toMatchObject({ line: 6724 });
    expect(find(r, '@angular/compiler')).toMatchObject({ version: '22.0.8', direct: true, line: 8 });
    expect(r.packages.some((p) => p.version.includes('workspace'))).toBe(false);
  });

  it('pnpm-lock v6 and v9 (vuejs/core)', async () => {
    const v6 = await parseFixture('pnpm-v6/vuejs-core-pnpm-lock.yaml', 'pnpm-lock.yaml');
    expect(v6.packages).toHaveLength(742);
    expect(find(v6, '@babel/parser', '7.24.0')).toMatchObject({ direct: true, line: 578 });
    expect(find(v6, '@aashutoshrathi/word-wrap')).toMatchObject({ version: '1.2.6', dev: true, line: 418 });
    const v9 = await parseFixture('pnpm-v9/vuejs-core-pnpm-lock.yaml', 'pnpm-lock.yaml');
    expect(v9.packages).toHaveLength(620);
    expect(find(v9, '@babel/parser', '7.29.8')).toMatchObject({ direct: true, line: 479 });
  });

  it('pnpm-lock v5 keys and peer suffixes', async () => {
    expect(parsePnpmKey('/@babel/core/7.12.3_supports-color@8.0.0', 5)).toEqual({ name: '@babel/core', version: '7.12.3' });
    expect(parsePnpmKey('/lodash@4.17.21(react@18.0.0)', 6)).toEqual({ name: 'lodash', version: '4.17.21' });
    const v5 = [
      'lockfileVersion: 5.4',
      'specifiers:',
      '  lodash: ^4.17.15',
      'dependencies:',
      '  lodash: 4.17.15',
      'packages:',
      '  /lodash/4.17.15:',
      '    resolution: {integrity: sha512-x}',
      '    dev: false',
      '  /@types/node/18.0.0:',
      '    resolution: {integrity: sha512-y}',
      '    dev: true',
      '',
    ].join('\n');
    const r = await parseManifest('pnpm-lock.yaml', v5);
    expect(r.packages).toEqual([
      { ecosystem: 'npm', name: 'lodash', version: '4.17.15', direct: true, file: 'pnpm-lock.yaml', line: 7 },
      { ecosystem: 'npm', name: '@types/node', version: '18.0.0', direct: false, dev: true, file: 'pnpm-lock.yaml', line: 10 },
    ]);
  });
});

describe('Python manifests', () => {
  it('requirements.txt (dvpwa): pins with trailing comments', async () => {
    const r = await parseFixture('pip-requirements/dvpwa-requirements.txt', 'requirements.txt');
    expect(r.packages).toHaveLength(18);
    expect(find(r, 'jinja2')).toMatchObject({ version: '2.10', line: 11, direct: true, ecosystem: 'PyPI' });
    expect(find(r, 'psycopg2')).toMatchObject({ version: '2.7.6.1' });
  });

  it('requirements-dev.txt (requests): ranges are unpinned, -e skipped, markers stripped', async () => {
    const r = await parseFixture('pip-requirements/requests-requirements-dev.txt', 'requirements-dev.txt');
    expect(r.packages.map((p) => p.name)).toEqual(['pytest', 'pytest-cov', 'pytest-httpbin', 'httpbin', 'trustme', 'wheel', 'cryptography']);
    expect(find(r, 'pytest-httpbin')).toMatchObject({ version: '2.0.0' });
    expect(find(r, 'pytest-httpbin')!.unpinned).toBeUndefined();
    expect(find(r, 'httpbin')).toMatchObject({ version: '~=0.10.0', unpinned: true });
    expect(find(r, 'cryptography')).toMatchObject({ version: '<40.0.0', unpinned: true });
  });

  it('-r includes resolve through the reader callback, relative to the including file', async () => {
    const dir = 'pip-requirements/flask-requirements';
    const requested: string[] = [];
    const r = await parseManifest('requirements/dev.txt', read(`${dir}/dev.txt`), (p) => {
      requested.push(p);
      return read(`${dir}/${p.replace('requirements/', '')}`);
    });
    expect(requested).toEqual(['requirements/docs.txt', 'requirements/tests.txt', 'requirements/typing.txt']);
    expect(r.packages).toHaveLength(68);
    expect(find(r, 'greenlet')).toMatchObject({ version: '1.1.2', file: 'requirements/tests.txt' });
    expect(find(r, 'tox')).toMatchObject({ version: '3.25.0', file: 'requirements/dev.txt' });
    const missing = await parseManifest('requirements/dev.txt', read(`${dir}/dev.txt`), () => null);
    expect(missing.warnings).toHaveLength(3);
  });

  it('requirements.txt: hashes, continuation lines, extras, === pins, wildcards', async () => {
    const text = [
      'Flask[async]==2.0.1 \\',
      '    --hash=sha256:aaaa \\',
      '    --hash=sha256:bbbb',
      'requests===2.19.0 ; python_version >= "3"  # pinned',
      'django==3.2.*',
      '-i https://pypi.org/simple',
      'git+https://github.com/x/y.git#egg=y',
    ].join('\n');
    const r = await parseManifest('requirements.txt', text);
    expect(r.packages).toEqual([
      { ecosystem: 'PyPI', name: 'Flask', version: '2.0.1', direct: true, file: 'requirements.txt', line: 1 },
      { ecosystem: 'PyPI', name: 'requests', version: '2.19.0', direct: true, file: 'requirements.txt', line: 4 },
      { ecosystem: 'PyPI', name: 'django', version: '==3.2.*', direct: true, unpinned: true, file: 'requirements.txt', line: 5 },
    ]);
  });

  it('Pipfile.lock, poetry.lock, uv.lock', async () => {
    const pipfile = await parseFixture('pipenv/pipenv-Pipfile.lock', 'Pipfile.lock');
    expect(pipfile.packages).toHaveLength(110);
    expect(find(pipfile, 'exceptiongroup')).toMatchObject({ version: '1.3.1', line: 17 });
    expect(find(pipfile, 'alabaster')).toMatchObject({ version: '1.0.0', dev: true });
    const poetry = await parseFixture('poetry/poetry-poetry.lock', 'poetry.lock');
    expect(poetry.packages).toHaveLength(78);
    expect(find(poetry, 'requests')).toMatchObject({ version: '2.33.1', line: 1839 });
    const uv = await parseFixture('uv/pydantic-uv.lock', 'uv.lock');
    expect(uv.packages).toHaveLength(174);
    expect(find(uv, 'requests')).toMatchObject({ version: '2.33.0', line: 3280 });
    expect(uv.packages.some((p) => p.name === 'pydantic')).toBe(false); // the editable project itself
  });
});

describe('Go, Rust, Ruby, PHP, JVM, .NET', () => {
  it('go.mod: require blocks, // indirect, replace directives; go.sum keeps the highest version', async () => {
    const r = await parseFixture('gomod/gin-go.mod', 'go.mod');
    expect(r.packages).toHaveLength(35);
    expect(find(r, 'golang.org/x/net')).toMatchObject({ version: 'v0.56.0', direct: true, line: 19, ecosystem: 'Go' });
    expect(find(r, 'golang.org/x/sys')).toMatchObject({ version: 'v0.46.0', direct: false, line: 43 });
    const old = await parseFixture('gomod/gin-2021-go.mod', 'go.mod');
    expect(old.packages).toHaveLength(9);
    const sum = await parseFixture('gomod/gin-2021-go.sum', 'go.sum');
    expect(sum.packages).toHaveLength(26);
    expect(find(sum, 'github.com/davecgh/go-spew')).toMatchObject({ version: 'v1.1.1', line: 2 });
    const replaced = await parseManifest(
      'go.mod',
      'module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v1.0.0\n)\nreplace github.com/a/b => github.com/a/b v1.2.0\nreplace github.com/c/d => ../d\n',
    );
    expect(replaced.packages).toEqual([{ ecosystem: 'Go', name: 'github.com/a/b', version: 'v1.2.0', direct: true, file: 'go.mod', line: 4 }]);
  });

  it('Cargo.lock: registry packages, workspace members skipped', async () => {
    const r = await parseFixture('cargo/starship-2021-Cargo.lock', 'Cargo.lock');
    expect(r.packages).toHaveLength(222);
    expect(find(r, 'regex')).toMatchObject({ version: '1.5.4', line: 1387, ecosystem: 'crates.io' });
    expect(r.packages.filter((p) => p.name === 'ansi_term').map((p) => p.version)).toEqual(['0.11.0', '0.12.1']);
    expect(r.packages.some((p) => p.name === 'starship')).toBe(false);
  });

  it('Gemfile.lock: GEM specs, DEPENDENCIES are direct', async () => {
    const r = await parseFixture('bundler/railsgoat-rails6-Gemfile.lock', 'Gemfile.lock');
    expect(r.packages).toHaveLength(140);
    expect(find(r, 'rails')).toMatchObject({ version: '6.0.0', line: 223, direct: true });
    expect(find(r, 'rack')).toMatchObject({ version: '2.2.3', line: 218, direct: false });
    expect(find(r, 'nokogiri')).toMatchObject({ version: '1.10.5' });
    expect((await parseFixture('bundler/railsgoat-Gemfile.lock', 'Gemfile.lock')).packages).toHaveLength(167);
  });

  it('composer.lock: packages and packages-dev', async () => {
    const r = await parseFixture('composer/BookStack-composer.lock', 'composer.lock');
    expect(r.packages).toHaveLength(147);
    expect(r.packages.filter((p) => p.dev)).toHaveLength(37);
    expect(find(r, 'phpunit/phpunit')).toMatchObject({ version: '10.5.35', dev: true, line: 9174, ecosystem: 'Packagist' });
    expect(find(r, 'aws/aws-crt-php')).toMatchObject({ version: 'v1.2.6' });
  });

  it('pom.xml (WebGoat): properties resolved, dependencyManagement versions applied', async () => {
    const r = await parseFixture('maven/WebGoat-pom.xml', 'pom.xml');
    expect(r.packages.length).toBeGreaterThan(40);
    const jsoup = find(r, 'org.jsoup:jsoup');
    expect(jsoup).toMatchObject({ version: '1.23.1', direct: true, ecosystem: 'Maven' });
    expect(lineText('maven/WebGoat-pom.xml', jsoup!.line)).toContain('<artifactId>jsoup</artifactId>');
    expect(r.packages.some((p) => !p.unpinned && p.version.includes('${'))).toBe(false);
  });

  it('gradle.lockfile: group:artifact:version, test-only configurations are dev', async () => {
    const r = await parseFixture('gradle/vulnerable-java-application-gradle.lockfile', 'gradle.lockfile');
    expect(r.packages).toHaveLength(68);
    expect(find(r, 'org.springframework:spring-core')).toMatchObject({ version: '6.1.6', line: 64 });
    expect(find(r, 'com.jayway.jsonpath:json-path')).toMatchObject({ version: '2.9.0', dev: true });
  });

  it('packages.lock.json (.NET): dedupes frameworks, Direct vs Transitive', async () => {
    const r = await parseFixture('nuget/bitwarden-server-Api-packages.lock.json', 'packages.lock.json');
    expect(r.packages).toHaveLength(153);
    expect(find(r, 'AspNetCore.HealthChecks.SqlServer')).toMatchObject({ version: '8.0.2', direct: true, line: 5, ecosystem: 'NuGet' });
  });
});

describe('dispatch and malformed input', () => {
  it('isManifest recognises lockfiles and requirement files by name only', () => {
    for (const p of ['a/package-lock.json', 'yarn.lock', 'svc/requirements.txt', 'requirements-dev.txt', 'requirements/tests.txt', 'go.sum', 'x/pom.xml', 'packages.lock.json']) {
      expect(isManifest(p), p).toBe(true);
    }
    for (const p of ['README.md', 'package.lock', 'src/requirements.py', 'notes.txt', 'lock.json']) expect(isManifest(p), p).toBe(false);
  });

  it.each([
    ['package-lock.json', '{"lockfileVersion": 3, "packages": '],
    ['package.json', 'not json'],
    ['yarn.lock', '__metadata:\n  version: [\n'],
    ['pnpm-lock.yaml', 'foo: [unclosed'],
    ['Pipfile.lock', '{'],
    ['poetry.lock', '[[package]\nname='],
    ['uv.lock', 'version = '],
    ['Cargo.lock', '[[package]]\nname = "x'],
    ['Gemfile.lock', 'garbage'],
    ['composer.lock', '[1,2]'],
    ['pom.xml', '<project><dependencies><dependency>'],
    ['packages.lock.json', '{"version": 1}'],
    ['gradle.lockfile', 'this is not a lockfile'],
    ['go.sum', 'github.com/x/y'],
  ])('%s: malformed input gives no packages and a warning', async (name, content) => {
    const r = await parseManifest(name, content);
    expect(r.packages).toEqual([]);
    expect(r.warnings.length).toBeGreaterThan(0);
  });
});
