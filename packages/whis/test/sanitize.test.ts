import { describe, expect, it } from 'vitest';
import { SanitizedRecordSchema, SubmissionSchema } from '@linkops/shared/contracts';
import { needsReview, normalizeSubmission, sanitizeRecord } from '../src/index.js';

const now = new Date('2026-02-01T10:00:00.000Z');
const recordOf = (input: Record<string, unknown>) => normalizeSubmission(SubmissionSchema.parse(input), now);

describe('sanitizeRecord', () => {
  it('accepts the seed example end to end with the expected classification and steps', () => {
    const record = recordOf({ task: 'Convert repo to GitOps', answer: 'Add helm chart, ArgoCD app, update CI pipeline' });
    const result = sanitizeRecord(record, { qualityThreshold: 0.4 });
    expect(SanitizedRecordSchema.parse(result.sanitized)).toEqual(result.sanitized);
    expect(result.status).toBe('accepted');
    expect(result.reasons).toEqual([]);
    expect(result.sanitized).toMatchObject({
      id: record.id,
      content_hash: record.content_hash,
      task: 'Convert repo to GitOps',
      classification: { domain: 'gitops', platform: 'argocd', topic: 'gitops' },
      quality: { score: 1, reasons: [] },
      redactions: [],
    });
    expect(result.sanitized.steps.map((s) => s.text)).toEqual(['Add helm chart', 'Add ArgoCD app', 'update CI pipeline']);
  });

  it('redacts secrets and PII in task, answer, tags and source_url, naming the field', () => {
    const record = recordOf({
      task: 'Rotate the deploy key for the staging cluster (ask ops@example.com)',
      answer:
        'Replace AKIAQX7ZD4K2M9PLN3TB and ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u in the CI secrets, mail ops@example.com, then run kubectl rollout restart deploy/api',
      tags: ['owner:ops@example.com'],
      source: 'webscraper',
      source_url: 'https://forum.example.org/t/1?contact=ops@example.com',
    });
    const result = sanitizeRecord(record);
    const serialized = JSON.stringify(result);
    for (const value of ['AKIAQX7ZD4K2M9PLN3TB', 'ghp_R7mK', 'ops@example.com']) expect(serialized).not.toContain(value);
    expect(new Set(result.sanitized.redactions.map((r) => r.field))).toEqual(new Set(['task', 'answer', 'tags', 'source_url']));
    expect(result.status).toBe('accepted');
    expect(result.sanitized.steps.map((s) => s.text).at(-1)).toBe('run kubectl rollout restart deploy/api');
    // placeholders are not classifier evidence
    expect(result.sanitized.classification.evidence.some((e) => e.includes('token'))).toBe(false);
  });

  it('rejects low-quality records with reasons, and the threshold is the caller\'s', () => {
    const record = recordOf({ task: 'help', answer: 'it is broken' });
    const rejected = sanitizeRecord(record);
    expect(rejected.status).toBe('rejected');
    expect(rejected.reasons.some((r) => r.startsWith('below_threshold'))).toBe(true);
    expect(sanitizeRecord(record, { qualityThreshold: 0 }).status).toBe('accepted');
  });

  it('normalizes HTML answers before splitting steps', () => {
    const record = recordOf({ task: 'Scale the api', answer: '<ol><li>Run <code>kubectl scale deploy/api --replicas=5</code></li><li>Watch the HPA</li></ol>' });
    const result = sanitizeRecord(record);
    expect(result.sanitized.answer).not.toContain('<li>');
    expect(result.sanitized.steps.map((s) => s.text)).toEqual(['Run `kubectl scale deploy/api --replicas=5`', 'Watch the HPA']);
  });
});

describe('needsReview', () => {
  it('routes scraped records and low confidence to review', () => {
    expect(needsReview({ source: 'webscraper' })).toMatch(/webscraper/);
    expect(needsReview({ source: 'human', confidence: 0.3 }, { confidenceThreshold: 0.5 })).toMatch(/0\.30 below threshold 0\.50/);
    expect(needsReview({ source: 'agent', classification: { confidence: 0.9 }, confidence: 0.1 })).toBeNull();
    expect(needsReview({ source: 'human' })).toBeNull();
  });

  it('works on a sanitized record', () => {
    const { sanitized } = sanitizeRecord(recordOf({ task: 'Convert repo to GitOps', answer: 'Add helm chart, ArgoCD app, update CI pipeline' }));
    expect(needsReview(sanitized, { confidenceThreshold: 0.5 })).toBeNull();
    expect(needsReview(sanitized, { confidenceThreshold: 0.95 })).toMatch(/below threshold/);
  });
});
