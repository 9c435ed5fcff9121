/**
 * The chart-file rules of `helm lint` that do not need a cluster: Chart.yaml fields and SemVer, values.yaml
 * and values.schema.json parse, templates/ present and every template renders. Returns problems (empty = ok).
 */
import YAML from 'yaml';
import { renderChart } from './gitops.js';

/** SemVer 2.0.0, the official regex (no nested quantifiers, ReDoS-safe). */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** `files` are keyed by path relative to the chart directory. */
export function lintChart(files: Record<string, string>): string[] {
  const problems: string[] = [];
  let chart: Record<string, unknown> = {};
  try {
    chart = (YAML.parse(files['Chart.yaml'] ?? '') ?? {}) as Record<string, unknown>;
  } catch (e) {
    problems.push(`Chart.yaml: ${(e as Error).message}`);
  }
  if (!files['Chart.yaml']) problems.push('Chart.yaml: missing');
  if (chart['apiVersion'] !== 'v2') problems.push('Chart.yaml: apiVersion must be v2');
  if (typeof chart['name'] !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(chart['name'])) problems.push('Chart.yaml: name is required and must be a DNS label');
  if (typeof chart['version'] !== 'string' || !SEMVER.test(chart['version'])) problems.push('Chart.yaml: version must be SemVer 2');
  if (chart['type'] !== undefined && chart['type'] !== 'application' && chart['type'] !== 'library') problems.push('Chart.yaml: type must be application or library');
  if (chart['appVersion'] === undefined) problems.push('Chart.yaml: appVersion is recommended');
  let values: unknown = {};
  try {
    values = YAML.parse(files['values.yaml'] ?? '') ?? {};
    if (typeof values !== 'object' || Array.isArray(values)) problems.push('values.yaml: must be a map');
  } catch (e) {
    problems.push(`values.yaml: ${(e as Error).message}`);
  }
  if (files['values.schema.json'] !== undefined) {
    try {
      JSON.parse(files['values.schema.json']);
    } catch (e) {
      problems.push(`values.schema.json: ${(e as Error).message}`);
    }
  }
  if (!Object.keys(files).some((p) => p.startsWith('templates/'))) problems.push('templates/: directory missing');
  if (problems.length === 0) {
    try {
      const rendered = renderChart(files, { releaseName: String(chart['name']), namespace: 'default' });
      for (const [p, text] of Object.entries(rendered)) {
        try {
          YAML.parseAllDocuments(text).forEach((d) => {
            if (d.errors.length > 0) throw d.errors[0];
          });
        } catch (e) {
          problems.push(`${p}: rendered YAML does not parse: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      problems.push(`templates: ${(e as Error).message}`);
    }
  }
  return problems;
}
