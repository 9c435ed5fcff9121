import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ALL_QUEUES, METRIC } from '@linkops/shared';
import { REPO_ROOT } from './chart.js';
import { validateObject } from './k8s.js';
import { exportedMetrics, metricsInExpr, unknownSeries, type MetricType } from './promql.js';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = () => (YAML.parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: AlertRule[] }> });

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; refId: string }>;
}
const dashboard = () => JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/linkops-dashboard.json'), 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ name: string }> } };

const QUEUE_NAMES = ALL_QUEUES.map((q) => q.name);

/** Queue label values an expression pins (queue="x" or a queue=~ regex), checked against the registry. */
function queueSelectorsMatch(expr: string): string[] {
  const problems: string[] = [];
  for (const m of expr.matchAll(/queue(=~|=)"((?:[^"\\]|\\.)*)"/g)) {
    const value = m[2]!.replace(/\\\\/g, '\\');
    if (value.startsWith('$')) continue; // a Grafana variable
    const matches = m[1] === '=' ? QUEUE_NAMES.includes(value) : QUEUE_NAMES.some((q) => new RegExp(`^(?:${value})$`).test(q));
    if (!matches) problems.push(`queue${m[1]}"${value}" matches no queue in the registry`);
  }
  return problems;
}

describe('PromQL metric extraction', () => {
  it('finds metric names and skips functions, keywords, labels, ranges and numbers', () => {
    expect(metricsInExpr('sum by (queue) (rate(linkops_jobs_failed_total{queue="a.b"}[10m])) > 1.8e9').metrics).toEqual(['linkops_jobs_failed_total']);
    expect(metricsInExpr('a_total / on (service) group_left b_total or up == 0').metrics).toEqual(['a_total', 'b_total', 'up']);
    expect(metricsInExpr('histogram_quantile(0.95, sum by (le) (rate(x_bucket{route!~"/metrics|/health"}[$__rate_interval])))').metrics).toEqual(['x_bucket']);
    expect(metricsInExpr('made_up_fn(x_total)').unknownFunctions).toEqual(['made_up_fn']);
  });

  it('maps histogram suffixes to their base and rejects unexported names', async () => {
    const exported = await exportedMetrics();
    expect(unknownSeries(`${METRIC.httpDuration}_bucket`, exported)).toBeNull();
    expect(unknownSeries(`${METRIC.jobDuration}_count`, exported)).toBeNull();
    expect(unknownSeries(METRIC.httpDuration, exported)).toMatch(/is a histogram/);
    expect(unknownSeries('linkops_jobs_completed', exported)).toMatch(/not exported/);
    expect(unknownSeries(`${METRIC.jobsCompleted}_bucket`, exported)).toMatch(/not exported/);
    expect(unknownSeries('process_resident_memory_bytes', exported)).toBeNull();
    expect(exported.get('linkops_scans_total')).toBe('counter');
    expect(exported.get('linkops_scan_findings_total')).toBe('counter');
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  let exported: Map<string, MetricType>;
  beforeAll(async () => {
    exported = await exportedMetrics();
  });

  it('every expression uses only exported metrics, known functions and registry queue names', () => {
    const problems: string[] = [];
    for (const group of rules().groups) {
      for (const rule of group.rules) {
        const use = metricsInExpr(rule.expr);
        expect(use.metrics.length, rule.alert).toBeGreaterThan(0);
        for (const f of use.unknownFunctions) problems.push(`${rule.alert}: unknown function ${f}`);
        for (const m of use.metrics) {
          const why = unknownSeries(m, exported);
          if (why) problems.push(`${rule.alert}: ${why}`);
        }
        problems.push(...queueSelectorsMatch(rule.expr).map((p) => `${rule.alert}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('covers the fleet’s failure modes, each alert with a severity, a summary and a for duration', () => {
    const all = rules().groups.flatMap((g) => g.rules);
    const names = all.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of all) {
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
    const using = (metric: string, extra: RegExp = /./) => all.filter((r) => metricsInExpr(r.expr).metrics.includes(metric) && extra.test(r.expr));
    expect(using('up'), 'service down').not.toHaveLength(0);
    expect(using(METRIC.queueJobs, /waiting/), 'queue backlog').not.toHaveLength(0);
    expect(using(METRIC.deadLetters), 'dead letters').not.toHaveLength(0);
    expect(using(`${METRIC.httpDuration}_count`, /5\.\./), 'error rate').not.toHaveLength(0);
    expect(using(METRIC.jobsFailed), 'job failures').not.toHaveLength(0);
    expect(using('linkops_scans_total', /failed/), 'scan failures').not.toHaveLength(0);
  });

  it('is a valid PrometheusRule spec (so it can ship as a prometheus-operator resource)', () => {
    const obj = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'linkops' }, spec: rules() };
    expect(() => validateObject(obj)).not.toThrow();
    // and the validator does reject a broken rule
    const broken = { ...obj, spec: { groups: [{ name: 'x', rules: [{ alert: 'A', for: 'soon' }] }] } };
    expect(() => validateObject(broken)).toThrow();
  });
});

describe('deploy/grafana/linkops-dashboard.json', () => {
  let exported: Map<string, MetricType>;
  beforeAll(async () => {
    exported = await exportedMetrics();
  });

  it('every panel target uses only exported metrics, known functions and registry queue names', () => {
    const problems: string[] = [];
    const targets = dashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(targets.length).toBeGreaterThan(15);
    for (const { panel, expr } of targets) {
      const use = metricsInExpr(expr);
      expect(use.metrics.length, panel).toBeGreaterThan(0);
      for (const f of use.unknownFunctions) problems.push(`${panel}: unknown function ${f}`);
      for (const m of use.metrics) {
        const why = unknownSeries(m, exported);
        if (why) problems.push(`${panel}: ${why}`);
      }
      problems.push(...queueSelectorsMatch(expr).map((p) => `${panel}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it('has the panels operators need, on a 24-column grid, all on the selectable Prometheus datasource', () => {
    const d = dashboard();
    expect(d.uid).toBe('linkops-fleet');
    expect(d.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['datasource', 'service', 'queue']));
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.datasource?.uid, p.title).toBe('${datasource}');
    }
    const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const has = (re: RegExp) => exprs.some((e) => re.test(e));
    expect(has(/rate\(http_request_duration_seconds_count\{/), 'HTTP rate').toBe(true);
    expect(has(/histogram_quantile\(0\.95, sum by \(service, le\) \(rate\(http_request_duration_seconds_bucket/), 'HTTP latency').toBe(true);
    expect(has(/linkops_queue_jobs\{/), 'queue depth').toBe(true);
    expect(has(/rate\(linkops_jobs_completed_total\{/) && has(/rate\(linkops_jobs_failed_total\{/), 'job rates').toBe(true);
    expect(has(/linkops_job_duration_seconds_bucket\{queue="audit\.scan"\}/), 'scan durations').toBe(true);
    expect(has(/sum by \(severity\) \(increase\(linkops_scan_findings_total/), 'findings by severity').toBe(true);
    expect(has(/linkops_jobs_completed_total\{queue=~"whis\\\\\.\.\*"\}/), 'Whis records by stage').toBe(true);
    expect(has(/http_request_duration_seconds_count\{route=~"\/orbs\.\*\|\/runes\.\*"/), 'orbs/runes served').toBe(true);
  });
});
