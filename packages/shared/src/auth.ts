import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What an API key may do. `admin` may do everything. */
export const ScopeSchema = z.enum(['scan', 'migrate', 'data:write', 'review', 'orbs:read', 'feedback', 'admin', 'metrics']);
export type Scope = z.infer<typeof ScopeSchema>;

/** A configured key: only the sha256 of the token is kept (hashed at rest). */
export const ApiKeySchema = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex sha256 of the token'),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Keys from API_KEYS (JSON array) and/or API_KEYS_FILE (a JSON file with the same shape). */
export function loadApiKeys(env: { API_KEYS?: string; API_KEYS_FILE?: string }): ApiKey[] {
  const keys: ApiKey[] = [];
  const parse = (text: string, where: string) => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(`${where}: not valid JSON`);
    }
    const r = z.array(ApiKeySchema).safeParse(raw);
    if (!r.success) throw new Error(`${where}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    keys.push(...r.data);
  };
  if (env.API_KEYS) parse(env.API_KEYS, 'API_KEYS');
  if (env.API_KEYS_FILE) parse(readFileSync(env.API_KEYS_FILE, 'utf8'), `API_KEYS_FILE ${env.API_KEYS_FILE}`);
  return keys;
}

export type AuthOutcome = { ok: true; key: ApiKey } | { ok: false; status: 401 | 403; code: string; message: string };

/** Checks a bearer token against the configured keys (constant-time) and the scope a route needs. */
export function authorize(header: string | undefined, keys: readonly ApiKey[], scope: Scope): AuthOutcome {
  const m = /^Bearer\s+(\S{8,512})$/i.exec(header ?? '');
  if (!m) return { ok: false, status: 401, code: 'unauthorized', message: 'send an API key as "Authorization: Bearer <key>"' };
  const digest = Buffer.from(hashToken(m[1]!), 'hex');
  const key = keys.find((k) => timingSafeEqual(Buffer.from(k.sha256, 'hex'), digest));
  if (!key) return { ok: false, status: 401, code: 'unauthorized', message: 'unknown API key' };
  if (!key.scopes.includes(scope) && !key.scopes.includes('admin')) {
    return { ok: false, status: 403, code: 'forbidden', message: `this key lacks the "${scope}" scope` };
  }
  return { ok: true, key };
}
