import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildCycloneDx, parseManifest, purlOf, type Package } from '../src/index.js';

// ajv-formats is CommonJS with a `default` export; under NodeNext the default import is the module object.
const addFormats = ((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as (ajv: Ajv) => Ajv;
const schemaDir = join(import.meta.dirname, 'schemas');
const loadSchema = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as Record<string, unknown>;

function validator(): (data: unknown) => { valid: boolean; errors: string } {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(loadSchema('spdx.schema.json'));
  ajv.addSchema(loadSchema('jsf-0.82.schema.json'));
  const validate = ajv.compile(loadSchema('bom-1.6.schema.json'));
  return (data) => ({ valid: validate(data) as boolean, errors: ajv.errorsText(validate.errors) });
}

describe('CycloneDX SBOM', () => {
  it('purls per ecosystem', () => {
    const p = (ecosystem: Package['ecosystem'], name: string, version: string): string => purlOf({ ecosystem, name, version });
    expect(p('npm', '@babel/core', '7.0.0')).toBe('pkg:npm/%40babel/core@7.0.0');
    expect(p('npm', 'lodash', '4.17.15')).toBe('pkg:npm/lodash@4.17.15');
    expect(p('PyPI', 'Jinja2', '2.10')).toBe('pkg:pypi/jinja2@2.10');
    expect(p('Maven', 'org.jsoup:jsoup', '1.23.1')).toBe('pkg:maven/org.jsoup/jsoup@1.23.1');
    expect(p('Go', 'golang.org/x/net', 'v0.56.0')).toBe('pkg:golang/golang.org/x/net@v0.56.0');
    expect(p('Packagist', 'guzzlehttp/guzzle', '7.9.2')).toBe('pkg:composer/guzzlehttp/guzzle@7.9.2');
    expect(p('crates.io', 'regex', '1.5.4')).toBe('pkg:cargo/regex@1.5.4');
    expect(p('RubyGems', 'rails', '6.0.0')).toBe('pkg:gem/rails@6.0.0');
    expect(p('NuGet', 'Npgsql', '8.0.2')).toBe('pkg:nuget/Npgsql@8.0.2');
  });

  it('validates against the CycloneDX 1.6 JSON schema, one component per purl', async () => {
    const lock = readFileSync(join(import.meta.dirname, 'fixtures/npm-v2/NodeGoat-package-lock.json'), 'utf8');
    const { packages } = await parseManifest('package-lock.json', lock);
    const gems = await parseManifest('Gemfile.lock', readFileSync(join(import.meta.dirname, 'fixtures/bundler/railsgoat-rails6-Gemfile.lock'), 'utf8'));
    const pom = await parseManifest('pom.xml', readFileSync(join(import.meta.dirname, 'fixtures/maven/WebGoat-pom.xml'), 'utf8'));
    const all = [...packages, ...gems.packages, ...pom.packages];
    const bom = buildCycloneDx(all, { name: 'nodegoat', version: '1.0.0', commit: 'abc123' });
    const result = validator()(bom);
    expect(result.errors).toBe('No errors');
    expect(result.valid).toBe(true);
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1 });
    expect(String(bom.serialNumber)).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const components = bom.components as { purl: string; 'bom-ref': string }[];
    const distinct = new Set(all.filter((p) => !p.unpinned).map((p) => purlOf(p)));
    expect(components).toHaveLength(distinct.size);
    expect(components.map((c) => c.purl)).toContain('pkg:gem/rails@6.0.0');
    expect(new Set(components.map((c) => c['bom-ref'])).size).toBe(components.length);
  });

  it('the schema check can fail', () => {
    const bom = buildCycloneDx([], { name: 'x' });
    expect(validator()({ ...bom, components: [{ name: 'no type' }] }).valid).toBe(false);
  });
});
