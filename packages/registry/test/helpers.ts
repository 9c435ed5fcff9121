import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, ArtifactKind, Platform } from '@linkops/shared/contracts';
import { contentDigest } from '../src/index.js';

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'linkops-registry-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface MakeOptions {
  id?: string;
  version?: string;
  content?: string;
  platform?: Platform;
  category?: string;
  summary?: string;
  description?: string;
  tags?: string[];
}

export function makeArtifact(o: MakeOptions = {}): Artifact {
  const id = o.id ?? 'orb.gha.security';
  const kind = id.split('.')[0] as ArtifactKind;
  const content =
    o.content ??
    (kind === 'orb'
      ? `name: ${id}\non: [pull_request]\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Checkout\n        uses: actions/checkout@v4\n      - name: Run secret scan\n        run: gitleaks detect\n`
      : `"""Generate a pipeline."""\n\ndef render_pipeline(name):\n    # write the workflow file\n    return name\n`);
  return {
    meta: {
      id,
      kind,
      version: o.version ?? '1.0.0',
      platform: o.platform ?? 'gha',
      category: o.category ?? 'security',
      summary: o.summary ?? 'Security scanning workflow',
      description: o.description ?? 'Runs scanners on pull requests.',
      tags: o.tags ?? ['security'],
      inputs: [{ name: 'fail_on', type: 'string', required: false, description: 'Severity that fails the build', secret: false }],
      outputs: [],
      requires: { tools: [], permissions: [] },
      provenance: { records: ['rec-1'], urls: [] },
      generator: 'test',
      digest: contentDigest(content),
    },
    filename: `${id}.v${(o.version ?? '1.0.0').split('.')[0]}.${kind === 'orb' ? 'yaml' : 'py'}`,
    content,
  };
}
