import type { FastifyInstance } from 'fastify';
import { AppError, validationFailed } from './errors.js';

/** Deeper JSON than this is refused: nothing a submission carries needs it, and deep trees cost stack downstream. */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly: invalid byte sequences are a 400, never silently replaced. */
export function decodeUtf8(buf: Buffer, where: string): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw validationFailed([{ field: where, reason: 'not valid UTF-8' }]);
  }
}

/**
 * Parses JSON and refuses trees nested deeper than MAX_JSON_DEPTH or carrying prototype keys
 * (`__proto__`, `constructor.prototype`), naming the top-level field that holds them.
 * The walk is iterative, so a 10k-deep body cannot overflow the stack.
 */
export function parseJsonStrict(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError(400, 'invalid_json', `${where}: not valid JSON (${(err as Error).message})`, [{ field: where, reason: 'not valid JSON' }]);
  }
  const stack: Array<{ v: unknown; depth: number; field: string }> = [{ v: value, depth: 0, field: where }];
  while (stack.length > 0) {
    const { v, depth, field } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw validationFailed([{ field, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` }]);
    for (const [k, child] of Object.entries(v)) {
      if (k === '__proto__' || (k === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child)) {
        throw validationFailed([{ field: `${field}.${k}`, reason: 'forbidden key' }]);
      }
      // Name the field by its top two levels: "body.metadata" or "line 3.metadata", not 10k segments.
      stack.push({ v: child, depth: depth + 1, field: depth < 2 ? `${field}${Array.isArray(v) ? `[${k}]` : `.${k}`}` : field });
    }
  }
  return value;
}

/**
 * application/json for every service, strictly: invalid UTF-8 is a 400 (never silently replaced with
 * U+FFFD), as are bodies nested deeper than MAX_JSON_DEPTH and prototype keys.
 */
export function registerStrictJson(app: Pick<FastifyInstance, 'removeContentTypeParser' | 'addContentTypeParser'>): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseJsonStrict(decodeUtf8(body as Buffer, 'body'), 'body'));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
