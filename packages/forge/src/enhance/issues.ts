export type IssueSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** One enhance observation. `fixed` issues were repaired mechanically and cost nothing in the score. */
export interface Issue {
  severity: IssueSeverity;
  rule: string;
  message: string;
  fixed: boolean;
}

export const SEVERITY_PENALTY: Record<IssueSeverity, number> = { critical: 35, high: 20, medium: 8, low: 3, info: 0 };

/** Score below this (or any unfixed high/critical) sends the artifact to human review. */
export const DEFAULT_ENHANCE_THRESHOLD = 70;

export function scoreIssues(issues: Issue[]): number {
  const penalty = issues.filter((i) => !i.fixed).reduce((sum, i) => sum + SEVERITY_PENALTY[i.severity], 0);
  return Math.max(0, Math.min(100, 100 - penalty));
}

export function decide(issues: Issue[], score: number, threshold = DEFAULT_ENHANCE_THRESHOLD): 'publish' | 'review' {
  const blocking = issues.some((i) => !i.fixed && (i.severity === 'high' || i.severity === 'critical'));
  return !blocking && score >= threshold ? 'publish' : 'review';
}

export function formatIssue(i: Issue): string {
  return `${i.fixed ? 'fixed ' : ''}${i.severity} ${i.rule}: ${i.message}`;
}
