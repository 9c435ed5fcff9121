/** Just enough Dockerfile parsing for the structure report and the compliance checks. */

export interface DockerInstruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface DockerStage {
  /** Image reference as written (may contain ARG placeholders). */
  image: string;
  alias: string | null;
  /** USER values in this stage, in order. */
  users: string[];
  line: number;
}

export interface ParsedDockerfile {
  instructions: DockerInstruction[];
  stages: DockerStage[];
  exposed: number[];
  cmd: string | null;
  entrypoint: string | null;
  healthcheck: boolean;
  envNames: string[];
}

/** Joins backslash continuations, drops comments and blank lines. */
export function dockerInstructions(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let buffer = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (buffer === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buffer !== '' && trimmed.startsWith('#')) continue;
    if (buffer === '') startLine = i + 1;
    if (trimmed.endsWith('\\')) {
      buffer += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buffer += trimmed;
    const m = /^([A-Za-z]+)\s*(.*)$/s.exec(buffer);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: startLine });
    buffer = '';
  }
  return out;
}

/** Renders exec form (["a","b"]) as a command line; shell form is returned as written. */
function commandText(args: string): string {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed)) return parsed.map(String).join(' ');
    } catch {
      /* not valid JSON: docker treats it as shell form too */
    }
  }
  return args;
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const instructions = dockerInstructions(text);
  const stages: DockerStage[] = [];
  const exposed: number[] = [];
  const envNames: string[] = [];
  let cmd: string | null = null;
  let entrypoint: string | null = null;
  let healthcheck = false;
  for (const ins of instructions) {
    switch (ins.keyword) {
      case 'FROM': {
        const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        const asIndex = parts.findIndex((p) => p.toUpperCase() === 'AS');
        stages.push({
          image: parts[0] ?? '',
          alias: asIndex >= 0 ? (parts[asIndex + 1] ?? null) : null,
          users: [],
          line: ins.line,
        });
        cmd = null;
        entrypoint = null;
        healthcheck = false;
        break;
      }
      case 'USER':
        stages[stages.length - 1]?.users.push(ins.args.split(/\s+/)[0] ?? '');
        break;
      case 'EXPOSE':
        for (const token of ins.args.split(/\s+/)) {
          const port = Number(/^(\d+)/.exec(token)?.[1]);
          if (Number.isInteger(port) && port > 0 && port < 65536) exposed.push(port);
        }
        break;
      case 'CMD':
        cmd = commandText(ins.args);
        break;
      case 'ENTRYPOINT':
        entrypoint = commandText(ins.args);
        break;
      case 'HEALTHCHECK':
        healthcheck = !/^NONE\b/i.test(ins.args);
        break;
      case 'ENV': {
        // ENV A=1 B=2, or the legacy ENV A 1
        const pairs = ins.args.match(/([A-Za-z_][A-Za-z0-9_]*)=/g);
        if (pairs) envNames.push(...pairs.map((p) => p.slice(0, -1)));
        else {
          const name = /^([A-Za-z_][A-Za-z0-9_]*)\s/.exec(ins.args)?.[1];
          if (name) envNames.push(name);
        }
        break;
      }
      default:
        break;
    }
  }
  return { instructions, stages, exposed, cmd, entrypoint, healthcheck, envNames };
}

/** True when the final stage ends up running as a non-root user. */
export function finalStageNonRoot(df: ParsedDockerfile): boolean {
  const last = df.stages[df.stages.length - 1];
  const user = last?.users[last.users.length - 1];
  if (!user) return false;
  const name = user.split(':')[0]!;
  return name !== 'root' && name !== '0' && name !== '';
}

/**
 * Scores one FROM reference for pinning: 1 for a digest or an explicit non-latest tag, 0 for none/latest;
 * null for references that are not images (scratch, earlier stage aliases).
 */
export function baseImagePinScore(image: string, stageAliases: ReadonlySet<string>): number | null {
  if (image === '' || image.toLowerCase() === 'scratch' || stageAliases.has(image.toLowerCase())) return null;
  if (image.includes('@sha256:')) return 1;
  const lastSegment = image.split('/').pop() ?? image;
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return 0;
  const tag = lastSegment.slice(colon + 1);
  if (tag === '' || tag.toLowerCase() === 'latest') return 0;
  // A tag from a build ARG is pinned only as well as its default: half marks.
  if (tag.includes('$')) return 0.5;
  return 1;
}
