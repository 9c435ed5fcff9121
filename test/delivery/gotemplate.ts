/**
 * A Go text/template + Sprig subset, enough to render helm/linkops without a `helm` binary.
 *
 * Why not packages/migrate/src/template.ts: that renderer covers the charts migrate generates, but not
 * variables (`$x := ...`, `range $k, $v := ...`), `dict`/`list`/`has`/`hasKey`/`index`/`join`, or
 * Helm's rule that `$` inside an included template is the argument passed to it. This chart needs all
 * of them to render eight services from one values map.
 *
 * It is strict on purpose: unknown functions, unknown syntax, field access through nil, printing a
 * map without toYaml, and `printf "%d"` (Helm values are float64, so `%d` prints garbage in real Helm)
 * throw, so a template that would misbehave in Helm fails the tests here too.
 */
import YAML from 'yaml';

type Arg =
  | { kind: 'literal'; value: unknown }
  | { kind: 'field'; base: 'dot' | { variable: string }; path: string[] }
  | { kind: 'ident'; name: string }
  | { kind: 'sub'; pipe: Pipeline };
type Command = Arg[];
interface Pipeline {
  /** Variables declared (`:=`) or assigned (`=`) with the pipeline's value. */
  declare?: { names: string[]; assign: boolean };
  cmds: Command[];
}

type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipeline }
  | { type: 'if'; branches: Array<{ cond: Pipeline; body: Node[] }>; otherwise: Node[] }
  | { type: 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[] }
  | { type: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] };

interface Token {
  kind: 'text' | 'action';
  value: string;
}

/** Splits source into text and actions, applying `{{-` / `-}}` trimming and dropping comments. */
function lex(src: string): Token[] {
  const tokens: Token[] = [];
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
    const start = open + (trimBefore ? 3 : 2);
    // Comments may contain "}}"-free text only; find their own end first.
    let close: number;
    const afterOpen = src.slice(start).trimStart();
    if (afterOpen.startsWith('/*')) {
      const endComment = src.indexOf('*/', start);
      if (endComment < 0) throw new Error(`unclosed comment at offset ${open}`);
      close = src.indexOf('}}', endComment);
    } else {
      close = findClose(src, start);
    }
    if (close < 0) throw new Error(`unclosed action at offset ${open}`);
    const trimAfter = src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '');
    const inner = src.slice(start, close - (trimAfter ? 1 : 0)).trim();
    if (inner && !inner.startsWith('/*')) tokens.push({ kind: 'action', value: inner });
    trimNext = trimAfter;
    pos = close + 2;
  }
  return tokens;
}

/** Finds the `}}` closing an action, skipping quoted strings that may contain braces. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1) + 1;
      if (i === 0) return -1;
    } else if (c === '}' && src[i + 1] === '}') {
      return i;
    } else i++;
  }
  return -1;
}

function words(src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else if ('()|,'.includes(c)) {
      out.push(c);
      i++;
    } else if (c === ':' && src[i + 1] === '=') {
      out.push(':=');
      i += 2;
    } else {
      let j = i;
      while (j < src.length && !/[\s()|,]/.test(src[j]!) && !(src[j] === ':' && src[j + 1] === '=')) j++;
      out.push(src.slice(i, j));
      i = j;
    }
  }
  return out;
}

function parseArg(w: string): Arg {
  if (w.startsWith('"')) return { kind: 'literal', value: JSON.parse(w) as string };
  if (w.startsWith('`')) return { kind: 'literal', value: w.slice(1, -1) };
  if (/^-?\d+(\.\d+)?$/.test(w)) return { kind: 'literal', value: Number(w) };
  if (w === 'true' || w === 'false') return { kind: 'literal', value: w === 'true' };
  if (w === 'nil') return { kind: 'literal', value: null };
  if (w === '.') return { kind: 'field', base: 'dot', path: [] };
  if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(w)) return { kind: 'field', base: 'dot', path: w.slice(1).split('.') };
  const v = /^(\$[A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(w);
  if (v) return { kind: 'field', base: { variable: v[1]! }, path: v[2] ? v[2].slice(1).split('.') : [] };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) return { kind: 'ident', name: w };
  throw new Error(`unsupported template word: ${w}`);
}

function parsePipeline(ws: string[]): Pipeline {
  let declare: Pipeline['declare'];
  const assignAt = ws.findIndex((w) => w === ':=' || w === '=');
  if (assignAt > 0 && ws.slice(0, assignAt).every((w) => /^\$[A-Za-z0-9_]*$/.test(w) || w === ',')) {
    declare = { names: ws.slice(0, assignAt).filter((w) => w !== ','), assign: ws[assignAt] === '=' };
    ws = ws.slice(assignAt + 1);
  }
  let i = 0;
  function pipeline(): Command[] {
    const cmds: Command[] = [];
    let cmd: Command = [];
    while (i < ws.length && ws[i] !== ')') {
      const w = ws[i++]!;
      if (w === '|') {
        cmds.push(cmd);
        cmd = [];
      } else if (w === '(') {
        const sub = pipeline();
        if (ws[i++] !== ')') throw new Error('unbalanced parentheses');
        cmd.push({ kind: 'sub', pipe: { cmds: sub } });
      } else if (w === ',' || w === ':=' || w === '=') {
        throw new Error(`unexpected ${w} in ${ws.join(' ')}`);
      } else cmd.push(parseArg(w));
    }
    cmds.push(cmd);
    if (cmds.some((c) => c.length === 0)) throw new Error(`empty command in pipeline: ${ws.join(' ')}`);
    return cmds;
  }
  const cmds = pipeline();
  if (i !== ws.length) throw new Error(`unexpected ${ws[i]} in ${ws.join(' ')}`);
  return declare ? { declare, cmds } : { cmds };
}

function parse(src: string, defines: Map<string, Node[]>): Node[] {
  const tokens = lex(src);
  let i = 0;
  function block(stops: string[]): { nodes: Node[]; stop: string[] | null } {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i++]!;
      if (t.kind === 'text') {
        nodes.push({ type: 'text', text: t.value });
        continue;
      }
      const ws = words(t.value);
      const head = ws[0]!;
      if (stops.includes(head)) return { nodes, stop: ws };
      if (head === 'if') {
        const branches: Array<{ cond: Pipeline; body: Node[] }> = [];
        let cond = parsePipeline(ws.slice(1));
        let otherwise: Node[] = [];
        for (;;) {
          const r = block(['else', 'end']);
          if (r.stop === null) throw new Error('if without end');
          branches.push({ cond, body: r.nodes });
          if (r.stop[0] === 'end') break;
          if (r.stop[1] === 'if') {
            cond = parsePipeline(r.stop.slice(2));
            continue;
          }
          const rest = block(['end']);
          if (rest.stop === null) throw new Error('if without end');
          otherwise = rest.nodes;
          break;
        }
        nodes.push({ type: 'if', branches, otherwise });
      } else if (head === 'with' || head === 'range') {
        const pipe = parsePipeline(ws.slice(1));
        const r = block(['else', 'end']);
        if (r.stop === null) throw new Error(`${head} without end`);
        let otherwise: Node[] = [];
        if (r.stop[0] === 'else') {
          if (r.stop.length > 1) throw new Error(`unsupported: else ${r.stop.slice(1).join(' ')} after ${head}`);
          const rest = block(['end']);
          if (rest.stop === null) throw new Error(`${head} without end`);
          otherwise = rest.nodes;
        }
        nodes.push({ type: head, pipe, body: r.nodes, otherwise });
      } else if (head === 'define') {
        const name = JSON.parse(ws[1]!) as string;
        const r = block(['end']);
        if (r.stop === null) throw new Error(`define ${name} without end`);
        defines.set(name, r.nodes);
      } else if (head === 'else' || head === 'end') {
        throw new Error(`unexpected {{ ${t.value} }}`);
      } else if (['template', 'block', 'break', 'continue'].includes(head)) {
        throw new Error(`unsupported action ${head}`);
      } else {
        nodes.push({ type: 'action', pipe: parsePipeline(ws) });
      }
    }
    return { nodes, stop: null };
  }
  const r = block([]);
  return r.nodes;
}

/** Go template truth: false, 0, nil, empty string/list/map are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How Go prints a value with {{ }} (fmt %v); Helm turns "<no value>" into "". */
function print(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // Helm values are float64 and Go prints floats of 1e6 and up as 1e+06: refuse rather than differ.
    if (Math.abs(v) >= 1e6) throw new Error(`Helm would print ${v} in exponent form; quote it in values or use toYaml`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  throw new Error(`refusing to print a ${Array.isArray(v) ? 'list' : 'map'} without toYaml: ${JSON.stringify(v).slice(0, 80)}`);
}

const indentLines = (n: number, s: string) =>
  s
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

/** Helm's toYaml: keys sorted, nil is "null", no trailing newline. */
function toYaml(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  return YAML.stringify(v, { lineWidth: 0, sortMapEntries: true }).replace(/\n$/, '');
}

function asList(v: unknown, fn: string): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${fn}: expected a list, got ${typeof v}`);
  return v;
}

function goEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b && a !== null && a !== undefined && b !== null && b !== undefined) {
    throw new Error(`eq: incompatible types for comparison (${typeof a} and ${typeof b})`);
  }
  return a === b;
}

type Fn = (r: Renderer, ...args: unknown[]) => unknown;

/** The functions the chart uses; anything else throws. */
const FUNCTIONS: Record<string, Fn> = Object.assign(Object.create(null) as Record<string, Fn>, {
  include: (r, name, ctx) => r.include(String(name), ctx),
  required: (_r, msg, v) => {
    if (v === null || v === undefined || v === '') throw new Error(String(msg));
    return v;
  },
  fail: (_r, msg) => {
    throw new Error(String(msg));
  },
  default: (_r, def, v) => (truthy(v) ? v : def),
  empty: (_r, v) => !truthy(v),
  trunc: (_r, n, s) => String(s).slice(0, Number(n)),
  trimSuffix: (_r, suf, s) => (String(s).endsWith(String(suf)) ? String(s).slice(0, String(s).length - String(suf).length) : String(s)),
  trimPrefix: (_r, pre, s) => (String(s).startsWith(String(pre)) ? String(s).slice(String(pre).length) : String(s)),
  replace: (_r, from, to, s) => String(s).split(String(from)).join(String(to)),
  contains: (_r, sub, s) => String(s).includes(String(sub)),
  lower: (_r, s) => String(s).toLowerCase(),
  upper: (_r, s) => String(s).toUpperCase(),
  toString: (_r: Renderer, v: unknown) => print(v),
  join: (_r, sep, list) => asList(list, 'join').map(print).join(String(sep)),
  printf: (_r, fmt, ...args) => {
    let k = 0;
    return String(fmt).replace(/%[a-z%]/g, (verb) => {
      if (verb === '%%') return '%';
      if (verb === '%s' || verb === '%v') return print(args[k++]);
      if (verb === '%q') return JSON.stringify(print(args[k++]));
      throw new Error(`printf ${verb} is not supported (Helm values are float64: use %v)`);
    });
  },
  quote: (_r, ...vs) => vs.map((v) => JSON.stringify(print(v))).join(' '),
  squote: (_r, ...vs) => vs.map((v) => `'${print(v)}'`).join(' '),
  toYaml: (_r, v) => toYaml(v),
  toJson: (_r, v) => JSON.stringify(v ?? null),
  nindent: (_r, n, s) => '\n' + indentLines(Number(n), String(s)),
  indent: (_r, n, s) => indentLines(Number(n), String(s)),
  not: (_r, v) => !truthy(v),
  and: (_r, ...vs) => vs.find((v) => !truthy(v)) ?? vs[vs.length - 1],
  or: (_r, ...vs) => vs.find((v) => truthy(v)) ?? vs[vs.length - 1],
  eq: (_r, a, ...bs) => bs.some((b) => goEqual(a, b)),
  ne: (_r, a, b) => !goEqual(a, b),
  dict: (_r, ...kv) => {
    if (kv.length % 2) throw new Error('dict: odd number of arguments');
    const out: Record<string, unknown> = {};
    for (let k = 0; k < kv.length; k += 2) out[String(kv[k])] = kv[k + 1];
    return out;
  },
  list: (_r, ...vs) => vs,
  has: (_r, needle, list) => asList(list, 'has').includes(needle),
  hasKey: (_r, map, key) => {
    if (!isMap(map)) throw new Error('hasKey: expected a map');
    return Object.prototype.hasOwnProperty.call(map, String(key));
  },
  index: (_r, coll, ...keys) => {
    let v = coll;
    for (const key of keys) {
      if (Array.isArray(v)) v = v[Number(key)];
      else if (isMap(v)) v = v[String(key)];
      else throw new Error(`index of ${String(key)} on a non-collection`);
    }
    return v;
  },
} satisfies Record<string, Fn>);

class Renderer {
  constructor(private readonly defines: Map<string, Node[]>) {}

  include(name: string, ctx: unknown): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`template "${name}" not defined`);
    // As in Go: inside the included template `$` is the argument.
    return this.nodes(body, ctx, [new Map([['$', ctx]])]);
  }

  run(nodes: Node[], data: unknown): string {
    return this.nodes(nodes, data, [new Map([['$', data]])]);
  }

  /** `scopes` is the variable stack: a new scope per block, as in Go. */
  private nodes(nodes: Node[], dot: unknown, scopes: Array<Map<string, unknown>>): string {
    let out = '';
    for (const n of nodes) {
      switch (n.type) {
        case 'text':
          out += n.text;
          break;
        case 'action': {
          const v = this.pipeline(n.pipe, dot, scopes);
          if (!n.pipe.declare) out += print(v);
          break;
        }
        case 'if': {
          const hit = n.branches.find((b) => truthy(this.pipeline(b.cond, dot, scopes)));
          out += this.nodes(hit ? hit.body : n.otherwise, dot, [...scopes, new Map()]);
          break;
        }
        case 'with': {
          const v = this.pipeline(n.pipe, dot, scopes);
          out += truthy(v) ? this.nodes(n.body, v, [...scopes, new Map()]) : this.nodes(n.otherwise, dot, [...scopes, new Map()]);
          break;
        }
        case 'range': {
          const v = this.pipeline({ cmds: n.pipe.cmds }, dot, scopes);
          let entries: Array<[unknown, unknown]>;
          if (Array.isArray(v)) entries = v.map((item, idx) => [idx, item]);
          else if (isMap(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
          else if (v === null || v === undefined) entries = [];
          else throw new Error(`range over ${typeof v}`);
          if (entries.length === 0) out += this.nodes(n.otherwise, dot, [...scopes, new Map()]);
          const names = n.pipe.declare?.names ?? [];
          for (const [key, item] of entries) {
            const scope = new Map<string, unknown>();
            if (names.length === 1) scope.set(names[0]!, item);
            if (names.length === 2) {
              scope.set(names[0]!, key);
              scope.set(names[1]!, item);
            }
            out += this.nodes(n.body, item, [...scopes, scope]);
          }
          break;
        }
      }
    }
    return out;
  }

  private pipeline(pipe: Pipeline, dot: unknown, scopes: Array<Map<string, unknown>>): unknown {
    let carried: unknown;
    pipe.cmds.forEach((cmd, idx) => {
      carried = this.command(cmd, dot, scopes, idx === 0 ? undefined : { value: carried });
    });
    if (pipe.declare) {
      const [name] = pipe.declare.names;
      if (pipe.declare.names.length !== 1) throw new Error('multiple variables outside range');
      if (pipe.declare.assign) {
        const scope = [...scopes].reverse().find((s) => s.has(name!));
        if (!scope) throw new Error(`undefined variable ${name}`);
        scope.set(name!, carried);
      } else scopes[scopes.length - 1]!.set(name!, carried);
    }
    return carried;
  }

  private command(cmd: Command, dot: unknown, scopes: Array<Map<string, unknown>>, piped?: { value: unknown }): unknown {
    const [head, ...rest] = cmd;
    if (head!.kind === 'ident' && (head!.name === 'and' || head!.name === 'or') && !piped) {
      // Go (1.18+) evaluates and/or arguments lazily: `and .a .a.b` is safe when .a is nil.
      let v: unknown;
      for (const a of rest) {
        v = this.arg(a, dot, scopes);
        if (truthy(v) === (head!.name === 'or')) return v;
      }
      return v;
    }
    if (head!.kind === 'ident') {
      const fn = FUNCTIONS[head!.name];
      if (!fn) throw new Error(`unsupported function ${head!.name}`);
      const args = rest.map((a) => this.arg(a, dot, scopes));
      if (piped) args.push(piped.value);
      return fn(this, ...args);
    }
    if (rest.length > 0 || piped) throw new Error('only functions take arguments');
    return this.arg(head!, dot, scopes);
  }

  private arg(a: Arg, dot: unknown, scopes: Array<Map<string, unknown>>): unknown {
    switch (a.kind) {
      case 'literal':
        return a.value;
      case 'sub':
        return this.pipeline(a.pipe, dot, scopes);
      case 'ident': {
        const fn = FUNCTIONS[a.name];
        if (!fn) throw new Error(`unsupported function ${a.name}`);
        return fn(this);
      }
      case 'field': {
        let v: unknown;
        if (a.base === 'dot') v = dot;
        else {
          const name = a.base.variable;
          const scope = [...scopes].reverse().find((s) => s.has(name));
          if (!scope) throw new Error(`undefined variable ${name}`);
          v = scope.get(name);
        }
        const walked: string[] = [];
        for (const key of a.path) {
          // Go: a missing map key is nil, but a field of nil is an error ("nil pointer evaluating").
          if (v === null || v === undefined) throw new Error(`nil pointer evaluating .${walked.join('.')}.${key}`);
          if (!isMap(v)) throw new Error(`can't evaluate field ${key} in a ${Array.isArray(v) ? 'list' : typeof v}`);
          v = v[key];
          walked.push(key);
        }
        return v;
      }
    }
  }
}

/**
 * Renders every template of a chart the way `helm template` does: files starting with `_` only
 * contribute defines; the result maps each file name to its output.
 */
export function renderTemplates(templates: Record<string, string>, data: unknown): Record<string, string> {
  const defines = new Map<string, Node[]>();
  const names = Object.keys(templates).sort();
  const bodies = new Map<string, Node[]>();
  for (const name of names) {
    try {
      bodies.set(name, parse(templates[name]!, defines));
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  const renderer = new Renderer(defines);
  const out: Record<string, string> = {};
  for (const name of names) {
    if (name.split('/').pop()!.startsWith('_')) continue;
    try {
      out[name] = renderer.run(bodies.get(name)!, data);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}
