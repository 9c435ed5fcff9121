import { describe, expect, it } from 'vitest';
import type { Artifact } from '@linkops/shared/contracts';
import { ImmutableVersionError, assertImmutable, nextVersion, smithWithChanges } from '../src/index.js';
import { SECURITY, record } from './fixtures.js';

const base = record('rec-v', 'Deploy with helm', 'x', 'helm', 'deploy', ['Create a Helm chart for the service']);

describe('versioning', () => {
  it('same content: no new version, previous returned as is', () => {
    const first = smithWithChanges([base]);
    const [orb, rune] = first.artifacts as [Artifact, Artifact];
    const again = smithWithChanges([base], { orb, rune });
    expect(again.changes).toEqual({ orb: 'none', rune: 'none' });
    expect(again.artifacts[0]).toBe(orb);
    expect(again.artifacts[1]).toBe(rune);
  });

  it('additive change (new step, inputs with defaults) -> minor', () => {
    const [orb, rune] = smithWithChanges([base]).artifacts as [Artifact, Artifact];
    const more = { ...base, steps: [...base.steps, { order: 2, text: 'helm upgrade the release' }] };
    const next = smithWithChanges([more], { orb, rune });
    expect(next.changes).toEqual({ orb: 'minor', rune: 'minor' });
    expect(next.artifacts[0]!.meta.version).toBe('1.1.0');
    expect(next.artifacts[0]!.filename).toBe('orb.helm.deploy.v1.yaml');
  });

  it('removed inputs -> major, and the file name moves to v2', () => {
    const [orb, rune] = smithWithChanges([base]).artifacts as [Artifact, Artifact];
    const other = { ...base, steps: [{ order: 1, text: 'Run the tests' }] };
    const next = smithWithChanges([other], { orb, rune });
    expect(next.changes.orb).toBe('major');
    expect(next.artifacts[0]!.meta.version).toBe('2.0.0');
    expect(next.artifacts[0]!.filename).toBe('orb.helm.deploy.v2.yaml');
    expect(next.artifacts[1]!.filename).toBe('rune.helm.deploy.v2.py');
  });

  it('changed input default -> major; content-only change -> patch', () => {
    const [orb] = smithWithChanges([SECURITY]).artifacts as [Artifact];
    const changedInput: Artifact = {
      ...orb,
      meta: { ...orb.meta, digest: 'sha256:other', inputs: orb.meta.inputs.map((i) => ({ ...i, default: 'other.sarif' })) },
    };
    expect(nextVersion(orb, changedInput)).toEqual({ version: '2.0.0', change: 'major' });
    const contentOnly: Artifact = { ...orb, meta: { ...orb.meta, digest: 'sha256:other' } };
    expect(nextVersion(orb, contentOnly)).toEqual({ version: '1.0.1', change: 'patch' });
    expect(nextVersion(undefined, orb)).toEqual({ version: '1.0.0', change: 'major' });
  });

  it('published versions are immutable', () => {
    const [orb] = smithWithChanges([SECURITY]).artifacts as [Artifact];
    expect(() => assertImmutable(orb, orb)).not.toThrow();
    expect(() => assertImmutable(orb, { ...orb, meta: { ...orb.meta, digest: 'sha256:tampered' } })).toThrow(ImmutableVersionError);
    expect(() => assertImmutable(orb, { ...orb, meta: { ...orb.meta, version: '1.1.0', digest: 'sha256:new' } })).not.toThrow();
  });
});
