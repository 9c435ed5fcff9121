import MiniSearch from 'minisearch';
import { parse as parseYaml } from 'yaml';
import type { Artifact, ArtifactKind } from '@linkops/shared/contracts';

export interface SearchFilters {
  kind?: ArtifactKind;
  platform?: string;
  tag?: string;
  limit?: number;
}

export interface SearchHit {
  id: string;
  kind: ArtifactKind;
  version: string;
  score: number;
  summary: string;
}

interface SearchDoc {
  id: string;
  kind: ArtifactKind;
  version: string;
  platform: string;
  tags: string[];
  summary: string;
  description: string;
  tagText: string;
  inputs: string;
  steps: string;
}

export interface ArtifactSearchOptions {
  /**
   * Feedback quality per artifact in [0, 1] (normally the Wilson lower bound of its success rate).
   * Scores are multiplied by 0.5 + quality, so proven artifacts rise and unproven ones are not hidden.
   */
  quality?: (id: string) => number;
}

/** Full-text search (BM25 via minisearch) over the latest version of each artifact. */
export class ArtifactSearch {
  private readonly engine: MiniSearch<SearchDoc>;
  private readonly qualities = new Map<string, number>();
  private readonly qualityFn: ((id: string) => number) | undefined;

  constructor(opts: ArtifactSearchOptions = {}) {
    this.qualityFn = opts.quality;
    this.engine = new MiniSearch<SearchDoc>({
      idField: 'id',
      fields: ['id', 'summary', 'description', 'tagText', 'inputs', 'steps'],
      storeFields: ['id', 'kind', 'version', 'platform', 'tags', 'summary'],
      searchOptions: {
        boost: { id: 3, summary: 2.5, tagText: 2, description: 1.2, inputs: 1, steps: 1 },
        prefix: (term) => term.length >= 3,
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        combineWith: 'OR',
      },
    });
  }

  /** Replaces the whole index (e.g. after ArtifactStore.reload()). */
  setAll(artifacts: Iterable<Artifact>): void {
    this.engine.removeAll();
    for (const a of artifacts) this.engine.add(toDoc(a));
  }

  /** Adds or replaces one artifact (a newly published version supersedes the indexed one). */
  upsert(artifact: Artifact): void {
    if (this.engine.has(artifact.meta.id)) this.engine.discard(artifact.meta.id);
    this.engine.add(toDoc(artifact));
  }

  remove(id: string): void {
    if (this.engine.has(id)) this.engine.discard(id);
  }

  /** Sets the feedback quality of one artifact (overrides the quality option). */
  setQuality(id: string, quality: number): void {
    this.qualities.set(id, Math.min(1, Math.max(0, quality)));
  }

  get size(): number {
    return this.engine.documentCount;
  }

  search(query: string, filters: SearchFilters = {}): SearchHit[] {
    const q = query.trim().slice(0, 500);
    if (!q) return [];
    const limit = Math.min(100, Math.max(1, filters.limit ?? 20));
    const results = this.engine.search(q, {
      filter: (r) =>
        (!filters.kind || r.kind === filters.kind) &&
        (!filters.platform || r.platform === filters.platform) &&
        (!filters.tag || (r.tags as string[]).includes(filters.tag)),
      boostDocument: (id) => 0.5 + this.qualityOf(String(id)),
    });
    return results.slice(0, limit).map((r) => ({
      id: String(r.id),
      kind: r.kind as ArtifactKind,
      version: r.version as string,
      score: Number(r.score.toFixed(6)),
      summary: r.summary as string,
    }));
  }

  private qualityOf(id: string): number {
    const q = this.qualities.get(id) ?? this.qualityFn?.(id) ?? 0;
    return Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0;
  }
}

function toDoc(a: Artifact): SearchDoc {
  const m = a.meta;
  return {
    id: m.id,
    kind: m.kind,
    version: m.version,
    platform: m.platform,
    tags: m.tags,
    summary: m.summary,
    description: m.description,
    tagText: m.tags.join(' '),
    inputs: m.inputs.map((i) => `${i.name.replace(/_/g, ' ')} ${i.description}`).join('\n'),
    steps: stepText(a).slice(0, 20_000),
  };
}

/** Searchable text from the file body: step names/commands of YAML orbs, defs/comments/docstrings of runes. */
export function stepText(a: Pick<Artifact, 'meta' | 'content'>): string {
  return a.meta.kind === 'rune' ? pythonText(a.content) : yamlStepText(a.content);
}

const STEP_FIELDS = ['name', 'run', 'uses', 'description', 'command', 'script'];

function yamlStepText(content: string): string {
  let doc: unknown;
  try {
    // Low alias cap: content comes from the pipeline but we never expand alias bombs.
    doc = parseYaml(content, { maxAliasCount: 50, prettyErrors: false });
  } catch {
    return '';
  }
  const out: string[] = [];
  const visit = (node: unknown, depth: number, underSteps: boolean): void => {
    if (depth > 12 || out.length > 2000) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1, underSteps);
      return;
    }
    if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (underSteps && STEP_FIELDS.includes(key) && (typeof value === 'string' || typeof value === 'number')) out.push(String(value));
        visit(value, depth + 1, key === 'steps' || key === 'tasks' || (underSteps && key !== 'with' && key !== 'env'));
      }
    }
  };
  visit(doc, 0, false);
  return out.join('\n');
}

function pythonText(content: string): string {
  const out: string[] = [];
  for (const m of content.matchAll(/^[ \t]*def[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm)) out.push(m[1]!.replace(/_/g, ' '));
  for (const m of content.matchAll(/^[ \t]*#[ \t]?([^\n]*)$/gm)) if (!m[1]!.startsWith('!')) out.push(m[1]!);
  for (const m of content.matchAll(/"""([^"]{1,2000})"""/g)) out.push(m[1]!);
  return out.join('\n');
}

/** Exposed for the ReDoS test. */
export const SEARCH_PATTERNS = [/^[ \t]*def[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm, /^[ \t]*#[ \t]?([^\n]*)$/gm, /"""([^"]{1,2000})"""/g] as const;
