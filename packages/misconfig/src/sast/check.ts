import type { Finding } from '@linkops/shared/contracts';
import { sortFindings, toFinding } from '../rule.js';
import { toSourceFile } from './engine.js';
import { SAST_RULES } from './rules.js';

/** Runs every SAST rule for the file's language (by extension). Pure: no I/O. */
export function checkSast(content: string, path: string): Finding[] {
  const file = toSourceFile(content, path);
  if (!file) return [];
  return sortFindings(SAST_RULES.flatMap((rule) => rule.check(file).map((hit) => {
    const f = toFinding(rule, path, hit);
    f.metadata = { language: file.language, cwe: rule.cwe };
    return f;
  })));
}
