import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

export type YamlPath = ReadonlyArray<string | number>;

/** One YAML document with its plain JS value and a way back to source lines. */
export interface YamlDoc {
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /** 1-based line of the deepest node of `path` that exists (the key's line for map entries). */
  lineAt(path: YamlPath): number;
  /** 1-based line where the document's content starts. */
  startLine: number;
}

export interface YamlParseResult {
  docs: YamlDoc[];
  /** Documents that did not parse, as messages (line included). */
  errors: string[];
}

/** Guards against alias bombs ("billion laughs"): documents expanding more aliases than this are rejected. */
const MAX_ALIAS_COUNT = 200;

/** Parses every document of a (multi-document) YAML file, keeping line positions. */
export function parseYamlDocuments(content: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const docs: YamlDoc[] = [];
  const errors: string[] = [];
  let parsed;
  try {
    parsed = parseAllDocuments(content, { lineCounter, uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    return { docs, errors: [String(e)] };
  }
  const list = Array.isArray(parsed) ? parsed : [];
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  list.forEach((doc, index) => {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      errors.push(`document ${index + 1}: ${e.message.split('\n')[0]}`);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      errors.push(`document ${index + 1}: ${String(e)}`);
      return;
    }
    if (value === null || value === undefined) return;
    const root = doc.contents as Node | null;
    const startLine = root?.range ? lineOf(root.range[0]) : 1;
    docs.push({
      index,
      value,
      startLine,
      lineAt(path: YamlPath): number {
        let node: unknown = root;
        let line = startLine;
        for (const seg of path) {
          if (isMap(node)) {
            const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
            if (!pair) break;
            const key = pair.key as Node;
            if (key.range) line = lineOf(key.range[0]);
            node = pair.value;
          } else if (isSeq(node) && typeof seg === 'number') {
            const item = node.items[seg] as Node | undefined;
            if (!item) break;
            if (item.range) line = lineOf(item.range[0]);
            node = item;
          } else {
            break;
          }
        }
        return line;
      },
    });
  });
  return { docs, errors };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function getIn(v: unknown, path: YamlPath): unknown {
  let cur = v;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isRecord(cur)) cur = cur[String(seg)];
    else return undefined;
  }
  return cur;
}
