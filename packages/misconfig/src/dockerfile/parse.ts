import { DockerfileParser, From, ModifiableInstruction, PropertyInstruction, type Instruction } from 'dockerfile-ast';

/** One instruction, with 1-based inclusive lines. */
export interface DockerInstruction {
  keyword: string;
  /** Arguments with line continuations folded (what Docker executes). */
  args: string;
  /** Arguments as written, continuations and newlines kept (for exact per-command lines). */
  rawArgs: string;
  /** Exec (JSON array) form, e.g. CMD ["node", "server.js"]. */
  jsonForm: boolean;
  /** The JSON array when jsonForm. */
  jsonArgs?: string[];
  /** Leading --flags (e.g. --mount=type=cache,..., --chown=...). */
  flags: string[];
  /** NAME=value pairs of ENV/ARG/LABEL (values unquoted; ARG without default has value null). */
  properties: Array<{ name: string; value: string | null }>;
  line: number;
  endLine: number;
  /** Index into stages; -1 for ARGs before the first FROM. */
  stage: number;
}

export interface DockerStage {
  index: number;
  /** `AS name` alias, if any. */
  name: string | null;
  /** Image as written (`node:20-slim`, `${BASE}`, `builder`). */
  image: string;
  imageName: string | null;
  tag: string | null;
  digest: string | null;
  /** FROM refers to an earlier stage or scratch, so tags do not apply. */
  fromStage: boolean;
  /** Contains unresolved ${VAR}, so tags cannot be judged. */
  dynamic: boolean;
  fromLine: number;
  instructions: DockerInstruction[];
}

export interface ParsedDockerfile {
  stages: DockerStage[];
  instructions: DockerInstruction[];
  /** The stage that produces the image (the last one), if any FROM exists. */
  finalStage: DockerStage | null;
  lines: string[];
}

function parseJsonArray(text: string): string[] | null {
  const t = text.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

function unquote(value: string | null): string | null {
  if (value === null || value.length < 2) return value;
  const q = value[0];
  return (q === '"' || q === "'") && value.endsWith(q) ? value.slice(1, -1) : value;
}

/** Instructions a stage inherits through `FROM <earlier stage>`, then its own. */
export function stageChain(doc: ParsedDockerfile, stage: DockerStage): DockerInstruction[] {
  const parent = stage.fromStage
    ? doc.stages.find((s) => s.index < stage.index && s.name !== null && s.name.toLowerCase() === stage.image.toLowerCase())
    : undefined;
  return parent ? [...stageChain(doc, parent), ...stage.instructions] : stage.instructions;
}

function instructionFlags(inst: Instruction): string[] {
  if (!(inst instanceof ModifiableInstruction)) return [];
  return inst.getFlags().map((f) => (f.getValue() === null ? `--${f.getName()}` : `--${f.getName()}=${f.getValue()}`));
}

/** Parses a Dockerfile into stages and instructions (multi-stage aware), with 1-based lines. */
export function parseDockerfile(content: string): ParsedDockerfile {
  const df = DockerfileParser.parse(content);
  const lines = content.split(/\r?\n/);
  const stages: DockerStage[] = [];
  const instructions: DockerInstruction[] = [];
  const stageNames = new Set<string>();

  for (const inst of df.getInstructions()) {
    const keyword = inst.getKeyword().toUpperCase();
    const range = inst.getRange();
    const args = inst.getArgumentsContent() ?? '';
    const argsRange = inst.getArgumentsRange();
    const rawArgs = argsRange
      ? lines.slice(argsRange.start.line, argsRange.end.line + 1).join('\n').slice(argsRange.start.character)
      : '';
    const jsonArgs = ['CMD', 'ENTRYPOINT', 'RUN', 'SHELL', 'HEALTHCHECK', 'COPY', 'ADD'].includes(keyword) ? parseJsonArray(args) : null;

    if (keyword === 'FROM' && inst instanceof From) {
      const image = inst.getImage() ?? '';
      const imageName = inst.getImageName();
      const name = inst.getBuildStage();
      const fromStage = image === 'scratch' || stageNames.has(image.toLowerCase());
      stages.push({
        index: stages.length,
        name,
        image,
        imageName,
        tag: inst.getImageTag(),
        digest: inst.getImageDigest(),
        fromStage,
        dynamic: image.includes('$'),
        fromLine: range.start.line + 1,
        instructions: [],
      });
      if (name) stageNames.add(name.toLowerCase());
    }

    const properties: Array<{ name: string; value: string | null }> = [];
    if (inst instanceof PropertyInstruction) {
      for (const p of inst.getProperties()) properties.push({ name: p.getName(), value: unquote(p.getUnescapedValue()) });
    }

    const record: DockerInstruction = {
      keyword,
      args,
      rawArgs,
      jsonForm: jsonArgs !== null,
      flags: instructionFlags(inst),
      properties,
      line: range.start.line + 1,
      endLine: range.end.line + 1,
      stage: stages.length - 1,
    };
    if (jsonArgs) record.jsonArgs = jsonArgs;
    instructions.push(record);
    stages[stages.length - 1]?.instructions.push(record);
  }
  return { stages, instructions, finalStage: stages[stages.length - 1] ?? null, lines };
}
