/**
 * A small Go text/template + Sprig subset: enough to render the charts this package generates, so tests can
 * schema-validate the rendered objects and the kustomize layout can reuse the chart as its single source.
 * It is NOT a general Helm renderer: unknown functions and syntax throw, so drift between the templates
 * and this renderer shows up as a test failure rather than wrong output.
 *
 * Supported: text, {{- / -}} trimming, comments, .Values/.Release/.Chart fields, $, if/else if/else,
 * with/else, range (lists and maps, no variables), define/include, parentheses, pipes, and the functions
 * in FUNCTIONS below.
 */
import YAML from 'yaml';

type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipeline }
  | { type: 'if'; branches: { cond: Pipeline; body: Node[] }[]; otherwise: Node[] }
  | { type: 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[] }
  | { type: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] };

type Arg =
  | { kind: 'literal'; value: unknown }
  | { kind: 'field'; root: 'dot' | 'dollar'; path: string[] }
  | { kind: 'ident'; name: string }
  | { kind: 'sub'; pipe: Pipeline };
type Command = Arg[];
type Pipeline = Command[];

interface RawToken {
  kind: 'text' | 'action';
  value: string;
}

/** Split template source into text and action tokens, applying the trim markers. */
function lex(src: string): RawToken[] {
  const tokens: RawToken[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open < 0 ? src.slice(pos) : src.slice(pos, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) tokens.push({ kind: 'text', value: text });
      break;
    }
    const trimBefore = src[open + 2] === '-' && /\s/.test(src[open + 3] ?? '');
    if (trimBefore) text = text.replace(/\s+$/, '');
    if (text) tokens.push({ kind: 'text', value: text });
    const close = src.indexOf('}}', open + 2);
    if (close < 0) throw new Error(`unclosed action at offset ${open}`);
    const trimAfter = src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '');
    let inner = src.slice(open + 2 + (trimBefore ? 1 : 0), close - (trimAfter ? 1 : 0)).trim();
    if (inner.startsWith('/*')) {
      if (!inner.endsWith('*/')) throw new Error('unclosed comment');
      inner = '';
    }
    if (inner) tokens.push({ kind: 'action', value: inner });
    trimNext = trimAfter;
    pos = close + 2;
  }
  return tokens;
}

/** Tokenise the inside of one action into words, strings, parens and pipes. */
function splitWords(src: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      words.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      words.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '(' || c === ')' || c === '|') {
      words.push(c);
      i++;
    } else {
      let j = i;
      while (j < src.length && !/[\s()|]/.test(src[j]!)) j++;
      words.push(src.slice(i, j));
      i = j;
    }
  }
  return words;
}

function parsePipeline(words: string[]): Pipeline {
  let i = 0;
  function pipeline(): Pipeline {
    const cmds: Pipeline = [];
    let cmd: Command = [];
    while (i < words.length) {
      const w = words[i]!;
      if (w === ')') break;
      i++;
      if (w === '|') {
        cmds.push(cmd);
        cmd = [];
      } else if (w === '(') {
        const sub = pipeline();
        if (words[i] !== ')') throw new Error('unbalanced parentheses');
        i++;
        cmd.push({ kind: 'sub', pipe: sub });
      } else cmd.push(parseArg(w));
    }
    cmds.push(cmd);
    if (cmds.some((c) => c.length === 0)) throw new Error(`empty command in pipeline: ${words.join(' ')}`);
    return cmds;
  }
  const result = pipeline();
  if (i !== words.length) throw new Error(`unexpected ${words[i]}`);
  return result;
}

function parseArg(w: string): Arg {
  if (w.startsWith('"')) return { kind: 'literal', value: JSON.parse(w) as string };
  if (w.startsWith('`')) return { kind: 'literal', value: w.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(w)) return { kind: 'literal', value: Number(w) };
  if (w === 'true' || w === 'false') return { kind: 'literal', value: w === 'true' };
  if (w === 'nil') return { kind: 'literal', value: null };
  if (w === '.') return { kind: 'field', root: 'dot', path: [] };
  if (w.startsWith('.')) return { kind: 'field', root: 'dot', path: w.slice(1).split('.') };
  if (w === '$') return { kind: 'field', root: 'dollar', path: [] };
  if (w.startsWith('$.')) return { kind: 'field', root: 'dollar', path: w.slice(2).split('.') };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) return { kind: 'ident', name: w };
  throw new Error(`unsupported template word: ${w}`);
}

function parse(src: string, defines: Map<string, Node[]>): Node[] {
  const tokens = lex(src);
  let i = 0;
  /** Parse nodes until one of the stop keywords; returns the nodes and the stop action text. */
  function block(stops: string[]): { nodes: Node[]; stop: string | null } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i]!;
      i++;
      if (t.kind === 'text') {
        nodes.push({ type: 'text', text: t.value });
        continue;
      }
      const words = splitWords(t.value);
      const head = words[0]!;
      if (stops.includes(head)) return { nodes, stop: t.value };
      if (head === 'if') {
        const branches: { cond: Pipeline; body: Node[] }[] = [];
        let cond = parsePipeline(words.slice(1));
        let otherwise: Node[] = [];
        for (;;) {
          const r = block(['else', 'end']);
          branches.push({ cond, body: r.nodes });
          if (r.stop === null) throw new Error('if without end');
          const sw = splitWords(r.stop);
          if (sw[0] === 'end') break;
          if (sw[1] === 'if') {
            cond = parsePipeline(sw.slice(2));
            continue;
          }
          const rest = block(['end']);
          otherwise = rest.nodes;
          break;
        }
        nodes.push({ type: 'if', branches, otherwise });
      } else if (head === 'with' || head === 'range') {
        const pipe = parsePipeline(words.slice(1));
        const r = block(['else', 'end']);
        let otherwise: Node[] = [];
        if (r.stop === null) throw new Error(`${head} without end`);
        if (splitWords(r.stop)[0] === 'else') otherwise = block(['end']).nodes;
        nodes.push({ type: head, pipe, body: r.nodes, otherwise });
      } else if (head === 'define') {
        const name = JSON.parse(words[1]!) as string;
        defines.set(name, block(['end']).nodes);
      } else if (head === 'else' || head === 'end') {
        throw new Error(`unexpected ${head}`);
      } else {
        nodes.push({ type: 'action', pipe: parsePipeline(words) });
      }
    }
    return { nodes, stop: null };
  }
  return block([]).nodes;
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function printValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error('refusing to print a map or list without toYaml');
}

function indentLines(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

type Fn = (r: Renderer, ...args: unknown[]) => unknown;

const FUNCTIONS: Record<string, Fn> = {
  include: (r, name, ctx) => r.include(String(name), ctx),
  default: (_r, def, v) => (truthy(v) ? v : def),
  trunc: (_r, n, s) => String(s).slice(0, Number(n)),
  trimSuffix: (_r, suf, s) => (String(s).endsWith(String(suf)) ? String(s).slice(0, -String(suf).length) : String(s)),
  replace: (_r, from, to, s) => String(s).split(String(from)).join(String(to)),
  printf: (_r, fmt, ...args) => {
    let k = 0;
    return String(fmt).replace(/%[sdv]/g, () => printValue(args[k++]));
  },
  quote: (_r, s) => JSON.stringify(printValue(s)),
  toYaml: (_r, v) => (v === null || v === undefined ? '' : YAML.stringify(v, { lineWidth: 0 }).replace(/\n$/, '')),
  nindent: (_r, n, s) => '\n' + indentLines(Number(n), String(s)),
  indent: (_r, n, s) => indentLines(Number(n), String(s)),
  not: (_r, v) => !truthy(v),
  and: (_r, ...vs) => vs.find((v) => !truthy(v)) ?? vs[vs.length - 1],
  or: (_r, ...vs) => vs.find((v) => truthy(v)) ?? vs[vs.length - 1],
  eq: (_r, a, b) => a === b,
  ne: (_r, a, b) => a !== b,
  empty: (_r, v) => !truthy(v),
  toString: (_r: Renderer, v: unknown) => printValue(v),
  lower: (_r, s) => String(s).toLowerCase(),
  required: (_r, msg, v) => {
    if (!truthy(v)) throw new Error(String(msg));
    return v;
  },
};

class Renderer {
  constructor(
    private readonly defines: Map<string, Node[]>,
    private readonly root: unknown,
  ) {}

  include(name: string, ctx: unknown): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`template "${name}" not defined`);
    return this.nodes(body, ctx);
  }

  nodes(nodes: Node[], dot: unknown): string {
    let out = '';
    for (const n of nodes) {
      switch (n.type) {
        case 'text':
          out += n.text;
          break;
        case 'action':
          out += printValue(this.pipeline(n.pipe, dot));
          break;
        case 'if': {
          const hit = n.branches.find((b) => truthy(this.pipeline(b.cond, dot)));
          out += this.nodes(hit ? hit.body : n.otherwise, dot);
          break;
        }
        case 'with': {
          const v = this.pipeline(n.pipe, dot);
          out += truthy(v) ? this.nodes(n.body, v) : this.nodes(n.otherwise, dot);
          break;
        }
        case 'range': {
          const v = this.pipeline(n.pipe, dot);
          const items = Array.isArray(v)
            ? v
            : v && typeof v === 'object'
              ? Object.keys(v)
                  .sort()
                  .map((k) => (v as Record<string, unknown>)[k])
              : [];
          if (items.length === 0) out += this.nodes(n.otherwise, dot);
          for (const item of items) out += this.nodes(n.body, item);
          break;
        }
      }
    }
    return out;
  }

  pipeline(pipe: Pipeline, dot: unknown): unknown {
    let carried: unknown;
    let first = true;
    for (const cmd of pipe) {
      carried = this.command(cmd, dot, first ? undefined : { value: carried });
      first = false;
    }
    return carried;
  }

  private command(cmd: Command, dot: unknown, piped: { value: unknown } | undefined): unknown {
    const [head, ...rest] = cmd;
    if (head!.kind === 'ident') {
      const fn = FUNCTIONS[head!.name];
      if (!fn) throw new Error(`unsupported function ${head!.name}`);
      const args = rest.map((a) => this.arg(a, dot));
      if (piped) args.push(piped.value);
      return fn(this, ...args);
    }
    if (rest.length > 0 || piped) throw new Error('only functions take arguments');
    return this.arg(head!, dot);
  }

  private arg(a: Arg, dot: unknown): unknown {
    switch (a.kind) {
      case 'literal':
        return a.value;
      case 'sub':
        return this.pipeline(a.pipe, dot);
      case 'ident': {
        const fn = FUNCTIONS[a.name];
        if (!fn) throw new Error(`unsupported function ${a.name}`);
        return fn(this);
      }
      case 'field': {
        let v: unknown = a.root === 'dot' ? dot : this.root;
        for (const key of a.path) {
          v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
        }
        return v;
      }
    }
  }
}

/** Render each template against `data`; files whose name starts with `_` only contribute defines. */
export function renderTemplates(templates: Record<string, string>, data: unknown): Record<string, string> {
  const defines = new Map<string, Node[]>();
  const names = Object.keys(templates).sort();
  const bodies = new Map<string, Node[]>();
  for (const name of names) {
    const nodes = parse(templates[name]!, defines);
    bodies.set(name, nodes);
  }
  const renderer = new Renderer(defines, data);
  const out: Record<string, string> = {};
  for (const name of names) {
    const base = name.split('/').pop()!;
    if (base.startsWith('_')) continue;
    out[name] = renderer.nodes(bodies.get(name)!, data);
  }
  return out;
}
