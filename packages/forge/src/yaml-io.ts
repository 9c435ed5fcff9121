import YAML, { isScalar, type Document } from 'yaml';
import { versionForPinned } from './enhance/pins.js';

/** Caps for untrusted YAML: alias expansion (billion laughs) and raw size. */
export const YAML_MAX_ALIAS_COUNT = 100;
export const YAML_MAX_BYTES = 512 * 1024;

/** Adds "# vX.Y.Z" after every `uses:` pinned to a curated SHA, so reviewers see the tag. */
export function annotatePins(doc: Document): void {
  YAML.visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'uses' && isScalar(pair.value) && typeof pair.value.value === 'string') {
        const version = versionForPinned(pair.value.value);
        if (version) pair.value.comment = ` ${version}`;
      }
    },
  });
}

export function renderYaml(value: unknown, header?: string): string {
  const doc = new YAML.Document(value);
  annotatePins(doc);
  if (header) doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

export type SafeParse = { ok: true; doc: Document; value: unknown } | { ok: false; errors: string[] };

/** Parse untrusted YAML without throwing: size cap, alias cap, and parse errors come back as messages. */
export function parseYamlSafely(text: string): SafeParse {
  if (Buffer.byteLength(text, 'utf8') > YAML_MAX_BYTES) return { ok: false, errors: [`YAML larger than ${YAML_MAX_BYTES} bytes`] };
  try {
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
    if (doc.errors.length > 0) return { ok: false, errors: doc.errors.slice(0, 5).map((e) => `YAML error: ${e.message}`) };
    const value: unknown = doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
    return { ok: true, doc, value };
  } catch (error) {
    return { ok: false, errors: [`YAML rejected: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
