/**
 * Metric names used in a PromQL expression, and the metric names the fleet exports (read from code).
 * Not a PromQL parser: it removes strings, label matchers, ranges, grouping clauses and numbers, then
 * treats each remaining identifier as a function (followed by "("), a keyword, or a metric name.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC, createMetrics } from '@linkops/shared';
import { REPO_ROOT } from './chart.js';

export const PROMQL_FUNCTIONS = new Set([
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'resets', 'changes',
  'sum', 'avg', 'max', 'min', 'count', 'topk', 'bottomk', 'quantile', 'stddev', 'stdvar', 'count_values', 'group',
  'histogram_quantile', 'abs', 'absent', 'absent_over_time', 'clamp', 'clamp_min', 'clamp_max', 'ceil', 'floor', 'round',
  'sqrt', 'exp', 'ln', 'log2', 'log10', 'scalar', 'vector', 'time', 'timestamp', 'sort', 'sort_desc', 'label_replace',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'quantile_over_time',
]);
export const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

export interface MetricUse {
  metrics: string[];
  /** Identifiers followed by "(" that are not known PromQL functions. */
  unknownFunctions: string[];
}

export function metricsInExpr(expr: string): MetricUse {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals (label values, regexes)
    .replace(/\{[^{}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range selectors and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping label lists
    .replace(/(?<![A-Za-z_:])\d+(\.\d+)?([eE][+-]?\d+)?/g, ' '); // numbers, 1.8e9 included
  const metrics = new Set<string>();
  const unknownFunctions = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const name = m[0].replace(/\s*\($/, '');
    if (PROMQL_KEYWORDS.has(name)) continue;
    if (m[1]) {
      if (!PROMQL_FUNCTIONS.has(name)) unknownFunctions.add(name);
      continue;
    }
    metrics.add(name);
  }
  return { metrics: [...metrics].sort(), unknownFunctions: [...unknownFunctions].sort() };
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Every metric the services export, by name and type: the shared registry built by createMetrics
 * (HTTP/queue metrics plus prom-client's process defaults), service-declared metrics found in
 * services/*\/src, and Prometheus' own `up`.
 */
export async function exportedMetrics(): Promise<Map<string, MetricType>> {
  const out = new Map<string, MetricType>([['up', 'gauge']]);
  const { registry } = createMetrics('probe', async () => []);
  for (const m of await registry.getMetricsAsJSON()) out.set(m.name, String(m.type) as MetricType);
  registry.clear();
  const servicesDir = join(REPO_ROOT, 'services');
  for (const service of readdirSync(servicesDir)) {
    const src = join(servicesDir, service, 'src');
    let files: string[] = [];
    try {
      files = walk(src);
    } catch {
      continue;
    }
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) {
        out.set(m[2]!, m[1]!.toLowerCase() as MetricType);
      }
    }
  }
  for (const name of Object.values(METRIC)) if (!out.has(name)) throw new Error(`METRIC.${name} missing from the registry`);
  return out;
}

/** Why a used series name is not exported, or null when it is (histogram series by their suffixes). */
export function unknownSeries(name: string, exported: Map<string, MetricType>): string | null {
  const type = exported.get(name);
  if (type === 'histogram' || type === 'summary') return `${name} is a ${type}: query ${name}_bucket/_count/_sum`;
  if (type) return null;
  const suffix = /^(.*)_(bucket|count|sum)$/.exec(name);
  if (suffix) {
    const baseType = exported.get(suffix[1]!);
    if (baseType === 'histogram' || (baseType === 'summary' && suffix[2] !== 'bucket')) return null;
  }
  return `${name} is not exported by any service`;
}
