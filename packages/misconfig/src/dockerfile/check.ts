import type { Finding } from '@linkops/shared/contracts';
import { sortFindings, toFinding } from '../rule.js';
import { parseDockerfile } from './parse.js';
import { DOCKERFILE_RULES } from './rules.js';

/** Runs every Dockerfile rule over one Dockerfile. Pure: no I/O. */
export function checkDockerfile(content: string, path: string): Finding[] {
  const doc = parseDockerfile(content);
  return sortFindings(DOCKERFILE_RULES.flatMap((rule) => rule.check(doc).map((hit) => toFinding(rule, path, hit))));
}
