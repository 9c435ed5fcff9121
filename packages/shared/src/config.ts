import { z } from 'zod';

/** Settings every service understands. Service-specific settings extend this schema. */
export const BaseConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL'),
  DATA_DIR: z.string().min(1).default('.data'),
  MODE: z.enum(['all', 'daytime', 'nighttime']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** BullMQ key prefix: lets tests and several fleets share one Redis without seeing each other. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_:.-]+$/).default('linkops'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(1024 * 1024),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * How long a worker holds a job's lock, and how often stalled jobs (their worker died) are put back.
   * A SIGKILLed worker's job is retried by another within about lock duration + stalled interval.
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** How long SIGTERM waits for in-flight jobs before closing anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  NODE_ENV: z.string().default('development'),
  /** off: open (local development); required: every scoped route needs a key. Production defaults to required. */
  AUTH: z.enum(['off', 'required']).optional(),
  /** JSON array of {name, scopes, sha256}; see README "Security". */
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  /** Protect /metrics with the "metrics" scope. */
  METRICS_AUTH: z.enum(['0', '1']).default('0'),
  /** Requests per window per API key (or per IP without one), counted in Redis across replicas. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Time allowed to receive a whole request (slow-client protection). */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
});
export type BaseConfig = z.infer<typeof BaseConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; reason: string }>) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses env against a schema; throws ConfigError naming every bad variable and why. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  // Empty strings mean "unset" for env vars: compose files often declare `FOO=` as a placeholder.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => ({ variable: i.path.map(String).join('.') || '(env)', reason: i.message })),
  );
}

/** For process entry points: invalid config prints the reason and exits non-zero. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** Comma-separated list env values ("a,b, c") as a zod schema. */
export const csvList = (defaults: string[] = []) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined ? defaults : v.split(',').map((s) => s.trim()).filter(Boolean)));

/** Boolean env values: 1/0, true/false, yes/no. */
export const envFlag = (dflt = false) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return dflt;
      const s = v.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be one of 1/0, true/false, yes/no, on/off' });
      return z.NEVER;
    });
