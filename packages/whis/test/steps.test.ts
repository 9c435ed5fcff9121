import { describe, expect, it } from 'vitest';
import { ActionStepSchema } from '@linkops/shared/contracts';
import { normalizeText, splitSteps } from '../src/index.js';

const texts = (answer: string): string[] => splitSteps(normalizeText(answer)).map((s) => s.text);

describe('splitSteps', () => {
  it('splits the seed example into three ordered steps, carrying the verb', () => {
    const steps = splitSteps('Add helm chart, ArgoCD app, update CI pipeline');
    expect(steps).toEqual([
      { order: 1, text: 'Add helm chart' },
      { order: 2, text: 'Add ArgoCD app' },
      { order: 3, text: 'update CI pipeline' },
    ]);
    for (const s of steps) expect(ActionStepSchema.parse(s)).toEqual(s);
  });

  it('numbered and bulleted lists: one step per item, continuation lines joined', () => {
    expect(texts('1. Add a workflow\n2) Checkout the code\n3. Upload SARIF')).toEqual(['Add a workflow', 'Checkout the code', 'Upload SARIF']);
    expect(texts('- Create the bucket\n  with versioning on.\n* Enable SSE-KMS\n• Block public access')).toEqual([
      'Create the bucket with versioning on',
      'Enable SSE-KMS',
      'Block public access',
    ]);
  });

  it('sentences and "then"/";" clauses are separate steps; sequencing adverbs are dropped', () => {
    expect(texts('First check the pod logs. Then bump the memory limit in values.yaml; redeploy, and then verify with kubectl get pods.')).toEqual([
      'check the pod logs',
      'bump the memory limit in values.yaml',
      'redeploy',
      'verify with kubectl get pods',
    ]);
  });

  it('does not split a list of things (only one action verb)', () => {
    expect(texts('Install kubectl, helm, and kind.')).toEqual(['Install kubectl, helm, and kind']);
  });

  it('does not split inside backticks or parentheses', () => {
    expect(texts('Run `kubectl get pods -o custom-columns=NAME:.metadata.name,STATUS:.status.phase` (namespace a, b).')).toHaveLength(1);
  });

  it('a code block becomes the code of the step it introduces, or a step of its own', () => {
    const steps = splitSteps(normalizeText('Apply the manifest:\n```\nkubectl apply -f deploy.yaml\n```\n```\nFROM node:20\nRUN npm ci\n```'));
    expect(steps).toEqual([
      { order: 1, text: 'Apply the manifest', code: 'kubectl apply -f deploy.yaml', language: 'bash' },
      { order: 2, text: 'Apply the dockerfile snippet (FROM node:20)', code: 'FROM node:20\nRUN npm ci', language: 'dockerfile' },
    ]);
  });

  it('a bash block on its own becomes a Run step', () => {
    const steps = splitSteps('```sh\n$ helm lint ./chart\n```');
    expect(steps).toEqual([{ order: 1, text: 'Run `helm lint ./chart`', code: '$ helm lint ./chart', language: 'bash' }]);
  });

  it('returns no steps for empty input', () => {
    expect(splitSteps('')).toEqual([]);
  });
});
