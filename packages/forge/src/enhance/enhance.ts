import { ArtifactMetaSchema, ArtifactSchema, type Artifact, type ArtifactKind } from '@linkops/shared/contracts';
import semver from 'semver';
import { isRecord } from '../util.js';
import { parseYamlSafely, renderYaml } from '../yaml-io.js';
import { orbDigest } from '../smith/smith.js';
import type { OrbBody } from '../smith/orb.js';
import { runeDigest } from '../smith/version.js';
import { hardenWorkflow } from './gha.js';
import { DEFAULT_ENHANCE_THRESHOLD, decide, formatIssue, scoreIssues, type Issue } from './issues.js';
import { misconfigIssues } from './misconfig.js';
import { enhanceRuneContent } from './rune.js';
import { shellcheckScripts } from './shellcheck.js';

export interface EnhanceOptions {
  threshold?: number;
  /** Override for tests / services: the misconfig workflow checker. */
  checkWorkflow?: (content: string, path: string) => unknown;
}

export interface EnhanceResult {
  artifact: Artifact;
  score: number;
  findings: string[];
  decision: 'publish' | 'review';
}

export interface EnhanceContentResult {
  content: string;
  score: number;
  findings: string[];
  decision: 'publish' | 'review';
  /** Present when the content carried a valid orb metadata header. */
  artifact?: Artifact;
}

interface OrbOutcome {
  content: string;
  issues: Issue[];
  meta?: Artifact['meta'];
}

async function enhanceWorkflowObject(workflow: Record<string, unknown>, path: string, options: EnhanceOptions) {
  const hardened = hardenWorkflow(workflow);
  const issues = [...hardened.issues];
  issues.push(...(await shellcheckScripts(hardened.scripts)));
  issues.push(...(await misconfigIssues(renderYaml(hardened.workflow), path, options.checkWorkflow)));
  return { workflow: hardened.workflow, issues };
}

async function enhanceOrbText(content: string, filename: string, options: EnhanceOptions): Promise<OrbOutcome> {
  const parsed = parseYamlSafely(content);
  if (!parsed.ok) return { content, issues: parsed.errors.map((m) => ({ severity: 'critical', rule: 'orb.yaml', message: m, fixed: false })) };
  const root = parsed.value;
  if (!isRecord(root)) return { content, issues: [{ severity: 'critical', rule: 'orb.yaml', message: 'top level is not a mapping', fixed: false }] };
  const header = root.orb ?? root.metadata;
  const issues: Issue[] = [];

  // A bare workflow (no header) is still hardened, but cannot be published as an orb.
  if (header === undefined && isRecord(root.jobs)) {
    issues.push({ severity: 'high', rule: 'orb.no-metadata', message: 'no orb:/metadata: header; hardened as a bare workflow', fixed: false });
    const out = await enhanceWorkflowObject(root, '.github/workflows/workflow.yml', options);
    const changed = JSON.stringify(out.workflow) !== JSON.stringify(root);
    return { content: changed ? renderYaml(out.workflow) : content, issues: [...issues, ...out.issues] };
  }
  const meta = ArtifactMetaSchema.safeParse(header);
  if (!meta.success) {
    issues.push({ severity: 'high', rule: 'orb.meta-invalid', message: meta.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), fixed: false });
  } else {
    if (meta.data.kind !== 'orb') issues.push({ severity: 'high', rule: 'orb.meta-kind', message: `kind is ${meta.data.kind}`, fixed: false });
    if (!semver.valid(meta.data.version)) issues.push({ severity: 'high', rule: 'orb.meta-version', message: `version ${meta.data.version} is not semver`, fixed: false });
    if (meta.data.summary.trim() === '') issues.push({ severity: 'low', rule: 'orb.meta-summary', message: 'empty summary', fixed: false });
    if (meta.data.provenance.records.length === 0) issues.push({ severity: 'medium', rule: 'orb.provenance', message: 'no source records in provenance', fixed: false });
  }
  if (!isRecord(root.body)) {
    issues.push({ severity: 'critical', rule: 'orb.no-body', message: 'body missing', fixed: false });
    return { content, issues };
  }
  const body = structuredClone(root.body) as Record<string, unknown>;
  if (!Array.isArray(body.steps)) issues.push({ severity: 'medium', rule: 'orb.no-steps', message: 'body.steps (ordered runbook) missing', fixed: false });
  const manual = Array.isArray(body.steps) ? body.steps.filter((s) => isRecord(s) && s.manual !== undefined).length : 0;
  if (manual > 0) issues.push({ severity: 'low', rule: 'orb.manual-steps', message: `${manual} manual step(s) without automation`, fixed: false });
  const platform = meta.success ? meta.data.platform : undefined;
  const workflow = isRecord(body.workflow) ? body.workflow : platform === 'gha' && isRecord(body.jobs) ? body : undefined;
  if (platform === 'gha' && !workflow) issues.push({ severity: 'high', rule: 'orb.gha-no-workflow', message: 'gha orb without body.workflow', fixed: false });
  if (workflow) {
    const out = await enhanceWorkflowObject(workflow, `.github/workflows/${filename.replace(/\.ya?ml$/, '')}.yml`, options);
    if (workflow === body) Object.assign(body, out.workflow);
    else body.workflow = out.workflow;
    issues.push(...out.issues);
  }
  const manifests = isRecord(body.manifests) ? body.manifests : {};
  for (const [role, m] of Object.entries(manifests)) {
    if (!isRecord(m) || typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
      issues.push({ severity: 'medium', rule: 'orb.manifest', message: `manifests.${role} lacks apiVersion/kind`, fixed: false });
    }
  }
  const digest = orbDigest(body as unknown as OrbBody);
  const bodyChanged = JSON.stringify(body) !== JSON.stringify(root.body);
  if (!meta.success) return { content: bodyChanged ? renderYaml({ ...root, body }) : content, issues };
  const newMeta = { ...meta.data, digest };
  if (meta.data.digest !== digest && !bodyChanged) {
    issues.push({ severity: 'low', rule: 'orb.digest', message: 'digest did not match the body; recomputed', fixed: true });
  }
  const unchanged = !bodyChanged && meta.data.digest === digest;
  const headerComment = parsed.doc.commentBefore ?? undefined;
  return { content: unchanged ? content : renderYaml({ orb: newMeta, body }, headerComment), issues, meta: newMeta };
}

function result(issues: Issue[], threshold: number) {
  const score = scoreIssues(issues);
  return { score, findings: issues.map(formatIssue), decision: decide(issues, score, threshold) };
}

/** Lint, harden and score an orb or rune artifact. Never throws on bad content: problems become findings. */
export async function enhanceArtifact(artifact: Artifact, options: EnhanceOptions = {}): Promise<EnhanceResult> {
  const threshold = options.threshold ?? DEFAULT_ENHANCE_THRESHOLD;
  if (artifact.meta.kind === 'rune') {
    const out = await enhanceRuneContent(artifact.content);
    const r = result(out.issues, threshold);
    const hardened: Artifact = {
      ...artifact,
      meta: { ...artifact.meta, digest: out.content === artifact.content ? artifact.meta.digest : runeDigest(out.content) },
      content: out.content,
      quality: { score: r.score, findings: r.findings },
    };
    return { artifact: hardened, ...r };
  }
  const out = await enhanceOrbText(artifact.content, artifact.filename, options);
  const r = result(out.issues, threshold);
  const meta = out.meta ?? artifact.meta;
  const hardened = ArtifactSchema.parse({ ...artifact, meta, content: out.content, quality: { score: r.score, findings: r.findings } });
  return { artifact: hardened, ...r };
}

/** For POST /enhance: raw orb YAML or rune Python in, hardened content + score + findings out. */
export async function enhanceContent(kind: ArtifactKind, content: string, options: EnhanceOptions = {}): Promise<EnhanceContentResult> {
  const threshold = options.threshold ?? DEFAULT_ENHANCE_THRESHOLD;
  if (kind === 'rune') {
    const out = await enhanceRuneContent(content);
    return { content: out.content, ...result(out.issues, threshold) };
  }
  const out = await enhanceOrbText(content, 'orb.yaml', options);
  const r = result(out.issues, threshold);
  if (!out.meta) return { content: out.content, ...r };
  const artifact = ArtifactSchema.safeParse({
    meta: out.meta,
    filename: `${out.meta.id}.v${semver.major(semver.valid(out.meta.version) ?? '1.0.0')}.yaml`,
    content: out.content,
    quality: { score: r.score, findings: r.findings },
  });
  return { content: out.content, ...r, ...(artifact.success ? { artifact: artifact.data } : {}) };
}
