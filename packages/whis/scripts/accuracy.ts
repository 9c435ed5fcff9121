import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify } from '../src/classify.js';

export interface LabelledPair {
  task: string;
  answer: string;
  domain: string;
}

export interface AccuracyReport {
  total: number;
  correct: number;
  accuracy: number;
  perDomain: Record<string, { total: number; correct: number; accuracy: number }>;
  /** "expected -> predicted" -> count, misclassifications only. */
  confusions: Record<string, number>;
  misses: Array<{ task: string; expected: string; predicted: string; evidence: string[] }>;
}

export const FIXTURE_PATH = fileURLToPath(new URL('../test/fixtures/labelled-pairs.json', import.meta.url));

export function loadLabelledPairs(path: string = FIXTURE_PATH): LabelledPair[] {
  return JSON.parse(readFileSync(path, 'utf8')) as LabelledPair[];
}

export function measureAccuracy(pairs: readonly LabelledPair[]): AccuracyReport {
  const perDomain: AccuracyReport['perDomain'] = {};
  const confusions: Record<string, number> = {};
  const misses: AccuracyReport['misses'] = [];
  let correct = 0;
  for (const pair of pairs) {
    const result = classify(pair.task, pair.answer);
    const bucket = (perDomain[pair.domain] ??= { total: 0, correct: 0, accuracy: 0 });
    bucket.total++;
    if (result.domain === pair.domain) {
      correct++;
      bucket.correct++;
    } else {
      const key = `${pair.domain} -> ${result.domain}`;
      confusions[key] = (confusions[key] ?? 0) + 1;
      misses.push({ task: pair.task, expected: pair.domain, predicted: result.domain, evidence: result.evidence });
    }
  }
  for (const bucket of Object.values(perDomain)) bucket.accuracy = bucket.total ? bucket.correct / bucket.total : 0;
  return { total: pairs.length, correct, accuracy: pairs.length ? correct / pairs.length : 0, perDomain, confusions, misses };
}
