import { AppError, validationFailed, type App } from '@linkops/shared';

/** Deeper JSON than this is refused: no request body of this service needs it. */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * application/json for this service's routes, strictly: invalid UTF-8 is a 400 (never silently
 * replaced with U+FFFD), as are bodies nested deeper than MAX_JSON_DEPTH and prototype keys.
 * The depth walk is iterative, so a very deep body cannot overflow the stack.
 * (Same rules as whis_data_input's body parser; a candidate for the service kit.)
 */
export function registerStrictJson(app: App): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseStrict(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

function parseStrict(buf: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw validationFailed([{ field: 'body', reason: 'not valid UTF-8' }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError(400, 'invalid_json', `body: not valid JSON (${(err as Error).message})`, [{ field: 'body', reason: 'not valid JSON' }]);
  }
  const stack: Array<{ v: unknown; depth: number; field: string }> = [{ v: value, depth: 0, field: 'body' }];
  while (stack.length > 0) {
    const { v, depth, field } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw validationFailed([{ field, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` }]);
    for (const [k, child] of Object.entries(v)) {
      if (k === '__proto__' || (k === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child)) {
        throw validationFailed([{ field: `${field}.${k}`, reason: 'forbidden key' }]);
      }
      stack.push({ v: child, depth: depth + 1, field: depth < 2 ? `${field}.${k}` : field });
    }
  }
  return value;
}
