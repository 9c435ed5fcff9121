import { expect } from 'vitest';
import { request as httpRequest } from 'node:http';

export { clearPrefix } from './redis.js';

// Shared harness for the bad-input catalogues: time-bound requests, envelope parsing, key cleanup and
// the generic JSON-body attacks every route must refuse with a clear 4xx.
export interface Envelope {
  error: { code: string; message: string; details?: Array<{ field: string; reason: string }> };
}

/** Every request is time-bound: a hang fails the test instead of stalling it. */
export async function send(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<{ status: number; body: Envelope }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: Envelope;
  try {
    body = JSON.parse(text) as Envelope;
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body };
}

export const postRaw = (body: string | Buffer, type = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': type }, body });
export const post = (body: unknown) => postRaw(JSON.stringify(body));
export const fields = (b: Envelope) => (b.error.details ?? []).map((d) => d.field);

/** The generic body attacks every JSON route must survive with a clear 4xx. */
export async function expectBodyAttacksRefused(url: string, valid: Record<string, unknown>) {
  const malformed = await send(url, postRaw('{"a": '));
  expect(malformed.status).toBe(400);
  expect(malformed.body.error.code).toBe('invalid_json');
  const big = await send(url, post({ ...valid, pad: 'x'.repeat(200 * 1024) }));
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('payload_too_large');
  const deep = await send(url, postRaw(`{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`));
  expect(deep.status).toBe(400);
  expect(deep.body.error.message).toMatch(/nested deeper/);
  const text = JSON.stringify(valid);
  const cut = text.indexOf('"', text.indexOf(':') + 1) + 1;
  const utf = await send(url, postRaw(Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(cut))])));
  expect(utf.status).toBe(400);
  expect(utf.body.error.message).toMatch(/UTF-8/);
  for (const b of ['null', '[]', '42', '"x"', '']) expect((await send(url, postRaw(b))).status, b).toBe(400);
  expect((await send(url, postRaw('<x/>', 'application/xml'))).status).toBe(415);
}

// Raw-HTTP variant for catalogues that send bodies fetch cannot (invalid UTF-8, lying content types).
export interface Answer {
  status: number;
  body: { error?: { code?: unknown; message?: unknown; details?: unknown } } & Record<string, unknown>;
}

/** Raw HTTP so bodies can be anything (invalid UTF-8, wrong content types, lies about length). */
export function raw(base: string, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: body === undefined ? {} : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Answer['body'];
        try {
          parsed = JSON.parse(text) as Answer['body'];
        } catch {
          parsed = { raw: text };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path}: no answer within 20 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The field(s) an error names: the kit gives [{field}] for schema problems and {field} for engine ones. */
export function fieldsOf(details: unknown): string[] {
  if (Array.isArray(details)) return details.map((d) => String((d as { field?: unknown }).field));
  if (details && typeof details === 'object' && 'field' in details) return [String((details as { field: unknown }).field)];
  return [];
}

