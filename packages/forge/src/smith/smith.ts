import {
  ArtifactSchema,
  SanitizedRecordSchema,
  type ActionStep,
  type Artifact,
  type ArtifactMeta,
  type Platform,
  type SanitizedRecord,
} from '@linkops/shared/contracts';
import { canonicalJson, sha256Hex, unique } from '../util.js';
import { renderYaml } from '../yaml-io.js';
import { planSteps, stepsFromAnswer, type PlannedStep } from './match.js';
import { buildOrbBody, collectInputs, type OrbBody } from './orb.js';
import { toPlatform, toTopic } from './platform.js';
import { renderRune } from './rune.js';
import { majorOf, nextVersion, runeDigest, type VersionChange } from './version.js';

export const GENERATOR = '@linkops/forge/smith@1';

/** What an optional LLM contributed; see llm.ts. Only ever text: automation still comes from the library. */
export interface SmithDraft {
  description?: string;
  steps?: string[];
  model?: string;
}

export interface SmithOptions {
  draft?: SmithDraft;
}

export interface RecordGroup {
  platform: Platform;
  topic: string;
  records: SanitizedRecord[];
}

/** Groups records by (orb platform, topic) — one orb and one rune per group. */
export function groupRecords(records: SanitizedRecord[]): RecordGroup[] {
  const groups = new Map<string, RecordGroup>();
  for (const r of records) {
    const platform = toPlatform(r.classification.platform);
    const topic = toTopic(r.classification.topic);
    const key = `${platform}.${topic}`;
    const g = groups.get(key) ?? { platform, topic, records: [] };
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export function orbDigest(body: OrbBody): string {
  return `sha256:${sha256Hex(canonicalJson(body))}`;
}

function recordSteps(records: SanitizedRecord[], draft?: SmithDraft): ActionStep[] {
  const steps: ActionStep[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    const own = r.steps.length > 0 ? r.steps : stepsFromAnswer(r.answer);
    for (const s of own) {
      const key = `${s.text.trim().toLowerCase()}|${s.code ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push({ ...s, order: steps.length + 1 });
    }
  }
  // A draft may only fill in steps when the records carry none; it never adds to real steps.
  if (steps.length === 0 && draft?.steps) {
    for (const text of draft.steps) steps.push({ order: steps.length + 1, text });
  }
  return steps;
}

interface Composition {
  platform: Platform;
  topic: string;
  plan: PlannedStep[];
  body: OrbBody;
  meta: Omit<ArtifactMeta, 'id' | 'kind' | 'version' | 'digest'>;
}

function compose(records: SanitizedRecord[], previous: { orb?: Artifact; rune?: Artifact } | undefined, options: SmithOptions): Composition {
  const first = records[0];
  if (!first) throw new Error('smithArtifacts needs at least one record');
  const platform = toPlatform(first.classification.platform);
  const topic = toTopic(first.classification.topic);
  const plan = planSteps(recordSteps(records, options.draft));
  const inputs = collectInputs(plan);
  const summary = first.task.trim().slice(0, 200);
  const body = buildOrbBody(plan, inputs, platform, summary);
  const snippets = plan.flatMap((p) => (p.kind === 'snippet' ? [p.snippet] : []));
  const manual = plan.filter((p) => p.kind === 'manual').map((p) => p.source.text);
  const feedback = unique(records.flatMap((r) => r.feedback_context ?? []));
  // Feedback is part of the content: a re-smith after failures is a new (patch) version, never a no-op.
  if (feedback.length > 0) body.known_failures = feedback;
  const description = [
    options.draft?.description?.trim(),
    `${summary}. ${first.answer.trim().slice(0, 500)}`,
    snippets.length > 0 ? `Automated steps: ${snippets.map((s) => s.title).join('; ')}.` : 'No step matched the snippet library.',
    manual.length > 0 ? `Manual steps (no matching snippet, kept as written): ${manual.join('; ')}.` : undefined,
    feedback.length > 0 ? `Known failures reported by agents: ${feedback.join(' | ')}` : undefined,
  ]
    .filter((x): x is string => Boolean(x))
    .join('\n\n');
  const supersedesFrom = feedback.length > 0 ? previous?.orb : undefined;
  const meta: Composition['meta'] = {
    platform,
    category: first.classification.domain || topic,
    summary,
    description,
    tags: unique([...records.flatMap((r) => r.tags), platform, topic, ...snippets.map((s) => s.category)]).sort(),
    inputs,
    outputs: [],
    requires: {
      tools: unique(snippets.flatMap((s) => s.tools)).sort(),
      permissions: unique(snippets.flatMap((s) => s.permissions)).sort(),
    },
    provenance: {
      records: unique(records.map((r) => r.id)),
      urls: unique(records.flatMap((r) => (r.source_url ? [r.source_url] : []))),
    },
    generator: options.draft?.model ? `${GENERATOR}+llm:${options.draft.model}` : GENERATOR,
    ...(supersedesFrom ? { supersedes: `${supersedesFrom.meta.id}@${supersedesFrom.meta.version}` } : {}),
  };
  return { platform, topic, plan, body, meta };
}

function orbArtifact(c: Composition, version: string): Artifact {
  const id = `orb.${c.platform}.${c.topic}`;
  const meta: ArtifactMeta = { id, kind: 'orb', version, digest: orbDigest(c.body), ...c.meta };
  const header = ` ${id} v${version} — generated by ${GENERATOR}; body shape: steps + workflow? + manifests? (see packages/forge/README.md)`;
  const content = renderYaml({ orb: meta, body: c.body }, header);
  return ArtifactSchema.parse({ meta, filename: `${id}.v${majorOf(version)}.yaml`, content });
}

function runeArtifact(c: Composition, version: string, orb: Artifact): Artifact {
  const id = `rune.${c.platform}.${c.topic}`;
  const render = (v: string, digest: string) =>
    renderRune({
      id,
      orbId: `${orb.meta.id}@${orb.meta.version}`,
      summary: c.meta.summary,
      description: c.meta.description,
      version: v,
      digest,
      plan: c.plan,
      inputs: c.meta.inputs,
      body: c.body,
      tools: c.meta.requires.tools,
      provenance: c.meta.provenance,
    });
  const digest = runeDigest(render(version, '-'));
  const meta: ArtifactMeta = { id, kind: 'rune', version, digest, ...c.meta };
  return ArtifactSchema.parse({ meta, filename: `${id}.v${majorOf(version)}.py`, content: render(version, digest) });
}

export interface SmithResult {
  artifacts: Artifact[];
  changes: { orb: VersionChange; rune: VersionChange };
}

/** Like smithArtifacts, also reporting what kind of version change each artifact got. */
export function smithWithChanges(
  records: SanitizedRecord[],
  previous?: { orb?: Artifact; rune?: Artifact },
  options: SmithOptions = {},
): SmithResult {
  const parsed = records.map((r) => SanitizedRecordSchema.parse(r));
  const c = compose(parsed, previous, options);
  const orbCandidate = orbArtifact(c, '0.0.0');
  const orbNext = nextVersion(previous?.orb, orbCandidate);
  const orb = orbNext.change === 'none' && previous?.orb ? previous.orb : orbArtifact(c, orbNext.version);
  const runeCandidate = runeArtifact(c, '0.0.0', orb);
  const runeNext = nextVersion(previous?.rune, runeCandidate);
  const rune = runeNext.change === 'none' && previous?.rune ? previous.rune : runeArtifact(c, runeNext.version, orb);
  return { artifacts: [orb, rune], changes: { orb: orbNext.change, rune: runeNext.change } };
}

/**
 * Smiths one (platform, topic) group of records into [orb, rune]. With `previous`, versions follow
 * nextVersion(); unchanged content returns the previous artifact object as is.
 */
export function smithArtifacts(
  records: SanitizedRecord[],
  previous?: { orb?: Artifact; rune?: Artifact },
  options: SmithOptions = {},
): Artifact[] {
  return smithWithChanges(records, previous, options).artifacts;
}

export interface SmithPreview {
  orb: Artifact;
  rune: Artifact;
  plan: { source_step: number; text: string; snippet: string | null; title: string }[];
  manual_steps: string[];
}

/** For POST /smith: what one record would become, with the step-to-snippet mapping shown. */
export function previewSmith(record: SanitizedRecord, options: SmithOptions = {}): SmithPreview {
  const parsed = SanitizedRecordSchema.parse(record);
  const [orb, rune] = smithArtifacts([parsed], undefined, options) as [Artifact, Artifact];
  const plan = planSteps(recordSteps([parsed], options.draft));
  return {
    orb,
    rune,
    plan: plan.map((p) => ({
      source_step: p.source.order,
      text: p.source.text,
      snippet: p.kind === 'snippet' ? p.snippet.id : null,
      title: p.kind === 'snippet' ? p.snippet.title : 'manual',
    })),
    manual_steps: plan.filter((p) => p.kind === 'manual').map((p) => p.source.text),
  };
}
