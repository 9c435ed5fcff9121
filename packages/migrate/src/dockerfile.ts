/**
 * Mechanical Dockerfile fixes. Instructions we do not touch stay byte-identical, so the resulting diff
 * only shows the fixes. Each fix names itself (kind) so the plan can map it to audit findings.
 */
import { baseImagePin, splitImageRef, userAddFlavour } from './pins.js';
import { RUN_AS_USER } from './chart.js';

export interface DockerInstruction {
  /** Upper-cased keyword, e.g. FROM; '' for comments and blank lines. */
  keyword: string;
  /** Arguments with line continuations joined by a single space. */
  args: string;
  /** Original source lines (without line terminators). */
  lines: string[];
}

/** Split a Dockerfile into instructions, keeping comments/blank lines as keyword '' entries. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: DockerInstruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    const trimmed = first.replace(/\r$/, '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      out.push({ keyword: '', args: '', lines: [first] });
      i++;
      continue;
    }
    const block = [first];
    let joined = trimmed;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      block.push(next);
      const nt = next.replace(/\r$/, '').trim();
      if (nt.startsWith('#')) continue; // comments inside continuations are dropped by Docker
      joined = joined.slice(0, -1).trimEnd() + ' ' + nt;
    }
    i++;
    const m = /^(\S+)\s*(.*)$/.exec(joined)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\\$/, '').trim(), lines: block });
  }
  return out;
}

export interface DockerfileFix {
  /** Fix kind, also used as the FixHint kind, e.g. dockerfile.pin-base. */
  kind: string;
  /** 1-based line of the instruction in the ORIGINAL file (0 when the fix adds something). */
  line: number;
  description: string;
}

export interface DockerfilePatchInput {
  text: string;
  /** Container ports and health path for HEALTHCHECK. */
  ports: number[];
  healthPath: string | null;
  runtime: string | null;
  /** Whether a package-lock.json / npm-shrinkwrap.json sits in the build context (npm ci needs one). */
  hasNpmLock: boolean;
  /** package.json of the build context, used to turn `npm start` into a direct `node` entrypoint. */
  packageJson: string | null;
}

export interface DockerfilePatchResult {
  text: string;
  fixes: DockerfileFix[];
  notes: string[];
}

/** Fix-hint kinds and the hadolint ids / keywords of findings they resolve. */
export const DOCKERFILE_FIX_KINDS: Record<string, { hadolint: string[]; keywords: RegExp }> = {
  'dockerfile.pin-base': { hadolint: ['DL3006', 'DL3007'], keywords: /latest|untagged|pin|tag/i },
  'dockerfile.non-root': { hadolint: ['DL3002'], keywords: /root|USER/ },
  'dockerfile.exec-form': { hadolint: ['DL3025'], keywords: /exec.?form|json.?form|shell.?form/i },
  'dockerfile.healthcheck': { hadolint: [], keywords: /healthcheck/i },
  'dockerfile.add-to-copy': { hadolint: ['DL3020'], keywords: /\bADD\b/ },
  'dockerfile.workdir': { hadolint: ['DL3003'], keywords: /\bcd\b|WORKDIR/ },
  'dockerfile.apt': { hadolint: ['DL3008', 'DL3009', 'DL3015', 'DL3014'], keywords: /apt/i },
  'dockerfile.npm-ci': { hadolint: ['DL3016'], keywords: /npm (ci|install)/i },
  'dockerfile.pip-no-cache': { hadolint: ['DL3042'], keywords: /no-cache-dir|pip/i },
};

const SHELL_META = /[&|;<>$`*?'"\\(){}~]/;

/** Exec-form JSON array for a shell-form command; keeps a shell only where the command needs one. */
export function toExecForm(command: string): string {
  const trimmed = command.trim();
  if (!SHELL_META.test(trimmed)) return JSON.stringify(trimmed.split(/\s+/)).replaceAll('","', '", "');
  return JSON.stringify(['/bin/sh', '-c', trimmed]).replaceAll('","', '", "');
}

function isExecForm(args: string): boolean {
  return args.trim().startsWith('[');
}

/** HEALTHCHECK using only the runtime's own interpreter, since slim images ship neither curl nor wget. */
export function healthcheckFor(runtime: string | null, ports: number[], healthPath: string | null): string | null {
  const port = ports[0];
  if (port === undefined) return null;
  const opts = 'HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ';
  const url = `http://127.0.0.1:${port}${healthPath ?? '/'}`;
  let cmd: string[] | null = null;
  if (runtime === 'node') {
    cmd = healthPath
      ? ['node', '-e', `require('http').get('${url}', (r) => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))`]
      : ['node', '-e', `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`];
  } else if (runtime === 'python') {
    cmd = healthPath
      ? ['python', '-c', `import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('${url}', timeout=3).status < 400 else 1)`]
      : ['python', '-c', `import socket; socket.create_connection(('127.0.0.1', ${port}), 3)`];
  } else if (runtime === 'go' || runtime === 'rust') {
    return null; // distroless final stage: no shell or interpreter, Kubernetes probes do the job
  } else {
    // Debian-based images ship bash, whose /dev/tcp needs no extra tools.
    cmd = ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`];
  }
  return opts + JSON.stringify(cmd).replaceAll('","', '", "');
}

function nodeEntrypoint(packageJson: string | null): string[] | null {
  if (!packageJson) return null;
  try {
    const pkg = JSON.parse(packageJson) as { main?: unknown; scripts?: Record<string, unknown> };
    const start = pkg.scripts?.start;
    if (typeof start === 'string') {
      const m = /^node\s+([\w./-]+)$/.exec(start.trim());
      return m ? ['node', m[1]!] : null;
    }
    // Without a start script `npm start` runs `node server.js`; `main` is what the author meant.
    if (typeof pkg.main === 'string' && /^[\w./-]+$/.test(pkg.main)) return ['node', pkg.main];
  } catch {
    return null;
  }
  return null;
}

function userSetup(flavour: 'debian' | 'alpine' | null): string[] {
  const id = RUN_AS_USER;
  if (flavour === 'debian') {
    return [
      `RUN groupadd --system --gid ${id} app \\`,
      `    && useradd --system --uid ${id} --gid app --no-create-home --shell /usr/sbin/nologin app`,
    ];
  }
  if (flavour === 'alpine') return [`RUN addgroup -S -g ${id} app && adduser -S -D -H -u ${id} -G app app`];
  return [];
}

/** Apply every mechanical fix; returns the new text (same line endings) and what was fixed. */
export function patchDockerfile(input: DockerfilePatchInput): DockerfilePatchResult {
  const eol = input.text.includes('\r\n') ? '\r\n' : '\n';
  const instructions = parseDockerfile(input.text.replaceAll('\r\n', '\n'));
  const fixes: DockerfileFix[] = [];
  const notes: string[] = [];
  const lineOf: number[] = [];
  let n = 1;
  for (const ins of instructions) {
    lineOf.push(n);
    n += ins.lines.length;
  }

  const froms = instructions.map((ins, i) => (ins.keyword === 'FROM' ? i : -1)).filter((i) => i >= 0);
  const finalStart = froms[froms.length - 1] ?? 0;
  const stageAliases = new Set<string>();
  for (const i of froms) {
    const m = /\bAS\s+(\S+)\s*$/i.exec(instructions[i]!.args);
    if (m) stageAliases.add(m[1]!.toLowerCase());
  }

  const out: string[] = [];
  let finalBase = '';
  let userInsertAt = -1; // index in `out` where the non-root user goes
  let lastUserIsRoot: boolean | null = null;
  let hasHealthcheck = false;
  let workdir = false;

  instructions.forEach((ins, i) => {
    const line = lineOf[i]!;
    const inFinal = i >= finalStart;
    const emit = (...ls: string[]) => out.push(...ls);
    switch (ins.keyword) {
      case 'FROM': {
        const parts = ins.args.split(/\s+/);
        const flagCount = parts.filter((p) => p.startsWith('--')).length;
        const image = parts[flagCount] ?? '';
        const ref = splitImageRef(image);
        const pin = baseImagePin(ref.name);
        const needsPin = !ref.digest && (ref.tag === null || ref.tag === 'latest') && !stageAliases.has(image.toLowerCase()) && image !== 'scratch' && !image.includes('$');
        let effective = image;
        if (needsPin && pin) {
          effective = `${ref.name}:${pin.tag}`;
          parts[flagCount] = effective;
          emit(`FROM ${parts.join(' ')}`);
          fixes.push({ kind: 'dockerfile.pin-base', line, description: `pin ${image} to ${effective}` });
        } else {
          if (needsPin) notes.push(`pin base image ${image} (line ${line}) to an explicit version: no curated tag for it`);
          emit(...ins.lines);
        }
        if (i === finalStart) finalBase = effective;
        break;
      }
      case 'ADD': {
        const src = ins.args.replace(/--\S+\s+/g, '');
        const isRemoteOrArchive = /https?:\/\/|\.(tar|tgz|tar\.gz|tar\.bz2|tar\.xz)(\s|$)/i.test(src);
        if (!isRemoteOrArchive) {
          emit(`COPY ${ins.args}`);
          fixes.push({ kind: 'dockerfile.add-to-copy', line, description: 'ADD of local files replaced by COPY' });
        } else emit(...ins.lines);
        break;
      }
      case 'RUN': {
        if (isExecForm(ins.args)) {
          emit(...ins.lines);
          break;
        }
        let cmd = ins.args;
        let changed = false;
        const cd = /^cd\s+([^\s&;|]+)\s*&&\s*(.+)$/s.exec(cmd);
        if (cd) {
          emit(`WORKDIR ${cd[1]}`);
          workdir = true;
          cmd = cd[2]!;
          changed = true;
          fixes.push({ kind: 'dockerfile.workdir', line, description: `\`cd ${cd[1]}\` in RUN replaced by WORKDIR` });
        }
        if (/\bnpm (install|i)\b(?!\s+-g)/.test(cmd) && !/\bnpm (install|i)\s+[a-z@]/i.test(cmd)) {
          if (input.hasNpmLock) {
            cmd = cmd.replace(/\bnpm (install|i)\b/, 'npm ci');
            changed = true;
            fixes.push({ kind: 'dockerfile.npm-ci', line, description: 'npm install replaced by npm ci (reproducible from the lockfile)' });
          } else notes.push('commit a package-lock.json and switch the Dockerfile to `npm ci` for reproducible installs');
        }
        if (/\bpip3? install\b/.test(cmd) && !/--no-cache-dir/.test(cmd)) {
          cmd = cmd.replace(/\b(pip3? install)\b/g, '$1 --no-cache-dir');
          changed = true;
          fixes.push({ kind: 'dockerfile.pip-no-cache', line, description: 'pip install --no-cache-dir keeps the cache out of the layer' });
        }
        if (/\bapt-get\s+install\b/.test(cmd)) {
          const before = cmd;
          if (!/--no-install-recommends/.test(cmd)) cmd = cmd.replace(/\bapt-get\s+install\b/g, 'apt-get install --no-install-recommends');
          if (!/\s(?:-y|--yes|--assume-yes|-qq?y)\b/.test(cmd)) cmd = cmd.replace(/\bapt-get\s+install\b/g, 'apt-get install -y');
          if (!/rm -rf \/var\/lib\/apt\/lists/.test(cmd)) cmd = `${cmd} && rm -rf /var/lib/apt/lists/*`;
          if (cmd !== before) {
            changed = true;
            fixes.push({ kind: 'dockerfile.apt', line, description: 'apt-get install with -y, --no-install-recommends and list cleanup' });
          }
        }
        if (changed) emit(`RUN ${cmd}`);
        else emit(...ins.lines);
        break;
      }
      case 'WORKDIR':
        workdir = true;
        emit(...ins.lines);
        break;
      case 'USER': {
        const isRoot = /^(root|0)(:.*)?$/.test(ins.args.trim());
        if (inFinal) lastUserIsRoot = isRoot;
        if (inFinal && isRoot) {
          fixes.push({ kind: 'dockerfile.non-root', line, description: 'final stage no longer runs as root' });
          // Keep it only when later RUNs of the stage may need root; the unprivileged USER goes before CMD.
          const laterRun = instructions.slice(i + 1).some((x) => x.keyword === 'RUN');
          if (laterRun) emit(...ins.lines);
        } else emit(...ins.lines);
        break;
      }
      case 'HEALTHCHECK':
        if (inFinal) hasHealthcheck = true;
        emit(...ins.lines);
        break;
      case 'CMD':
      case 'ENTRYPOINT': {
        if (inFinal && userInsertAt < 0) userInsertAt = out.length;
        if (isExecForm(ins.args)) {
          emit(...ins.lines);
          break;
        }
        let exec = toExecForm(ins.args);
        if (input.runtime === 'node' && /^npm\s+(run\s+)?start$/.test(ins.args.trim())) {
          const direct = nodeEntrypoint(input.packageJson);
          if (direct) exec = JSON.stringify(direct).replaceAll('","', '", "');
        }
        emit(`${ins.keyword} ${exec}`);
        fixes.push({ kind: 'dockerfile.exec-form', line, description: `${ins.keyword} in exec form so signals reach the process` });
        break;
      }
      default:
        emit(...ins.lines);
    }
  });

  // Non-root: needed when the final stage never sets a user or its last USER was root.
  const hasNonRootUser = lastUserIsRoot === false;
  if (!hasNonRootUser) {
    const flavour = userAddFlavour(finalBase);
    const block = [...userSetup(flavour), `USER ${RUN_AS_USER}:${RUN_AS_USER}`];
    const at = userInsertAt < 0 ? out.length : userInsertAt;
    out.splice(at, 0, ...block);
    if (lastUserIsRoot === null) fixes.push({ kind: 'dockerfile.non-root', line: 0, description: `run as unprivileged user ${RUN_AS_USER}` });
    userInsertAt = at + block.length;
  }
  if (!hasHealthcheck) {
    const hc = healthcheckFor(input.runtime, input.ports, input.healthPath);
    if (hc) {
      const at = userInsertAt < 0 ? out.length : userInsertAt;
      out.splice(at, 0, hc);
      fixes.push({ kind: 'dockerfile.healthcheck', line: 0, description: 'HEALTHCHECK using the runtime interpreter' });
    } else notes.push('no HEALTHCHECK added (no known port, or a shell-less final image); the Helm chart probes cover Kubernetes');
  }
  if (!workdir) notes.push('the Dockerfile sets no WORKDIR; relative paths resolve against /');
  return { text: out.join(eol) + eol, fixes, notes };
}
