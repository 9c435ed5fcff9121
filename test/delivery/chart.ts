/** Loads helm/linkops and renders it like `helm template` (values merge, .Release/.Chart, documents). */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { renderTemplates } from './gotemplate.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CHART_DIR = join(REPO_ROOT, 'helm/linkops');

export type Values = Record<string, unknown>;

export interface RenderedObject {
  /** Template file that produced it, e.g. templates/deployment.yaml. */
  source: string;
  /** The document's text, as it would be applied. */
  text: string;
  obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };
}

export interface RenderedChart {
  values: Values;
  files: Record<string, string>;
  objects: RenderedObject[];
  notes: string;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's coalescing: maps merge key by key, anything else (lists included) is replaced; null deletes. */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k] as Values, v);
    else out[k] = v;
  }
  return out;
}

/** `--set a.b=c` style override as a nested map (values are YAML-typed, as Helm's --set does for simple scalars). */
export function setValue(path: string, value: unknown): Values {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((acc, key) => ({ [key]: acc }), value) as Values;
}

export const defaultValues = (): Values => YAML.parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Values;

export function loadTemplates(): Record<string, string> {
  const dir = join(CHART_DIR, 'templates');
  return Object.fromEntries(readdirSync(dir).map((f) => [`templates/${f}`, readFileSync(join(dir, f), 'utf8')]));
}

export function renderChart(overrides: Values[] = [], release = { Name: 'linkops', Namespace: 'linkops' }): RenderedChart {
  const chart = YAML.parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Record<string, string>;
  const values = overrides.reduce(mergeValues, defaultValues());
  const data = {
    Values: values,
    Release: { ...release, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion, Description: chart.description },
    Capabilities: { KubeVersion: { Version: 'v1.30.0' } },
  };
  const files = renderTemplates(loadTemplates(), data);
  const objects: RenderedObject[] = [];
  for (const [source, out] of Object.entries(files)) {
    if (!source.endsWith('.yaml')) continue;
    for (const text of out.split(/^---\s*$/m)) {
      const doc = YAML.parseDocument(text);
      if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}\n${text}`);
      const obj = doc.toJS() as RenderedObject['obj'] | null;
      if (obj === null) continue; // empty document (condition false), as Helm drops them
      objects.push({ source, text, obj });
    }
  }
  return { values, files, objects, notes: files['templates/NOTES.txt'] ?? '' };
}

export const ofKind = (r: RenderedChart, kind: string) => r.objects.filter((o) => o.obj.kind === kind);
