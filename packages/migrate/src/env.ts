/**
 * Deciding which environment variables are secrets. Secrets never become literal values in generated
 * manifests: they turn into secretKeyRef entries pointing at a Secret the operator creates.
 */

export interface SecretNameRule {
  id: string;
  description: string;
  pattern: RegExp;
  /** Names that must match. */
  positives: string[];
  /** Names that must not match. */
  negatives: string[];
}

/** Rules over variable NAMES (the report carries names only). Anchored on word parts to avoid e.g. MONKEY. */
export const SECRET_NAME_RULES: readonly SecretNameRule[] = [
  {
    id: 'env.password',
    description: 'passwords and passphrases',
    pattern: /(?:^|_)(?:PASSWORD|PASSWD|PASS|PWD|PASSPHRASE)(?:_|$)/i,
    positives: ['DB_PASSWORD', 'PASSWORD', 'REDIS_PASS', 'SMTP_PASSWD', 'GPG_PASSPHRASE'],
    negatives: ['PASSPORT_STRATEGY', 'BYPASS_CACHE', 'COMPASS_URL'],
  },
  {
    id: 'env.secret-or-token',
    description: 'secrets, tokens, credentials',
    pattern: /(?:^|_)(?:SECRET|SECRETS|TOKEN|TOKENS|CREDENTIALS?|AUTH|COOKIE_SECRET|SALT|PEPPER|WEBHOOK)(?:_|$)/i,
    positives: ['JWT_SECRET', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'GOOGLE_CREDENTIALS', 'SLACK_WEBHOOK', 'BASIC_AUTH'],
    negatives: ['TOKENIZER_MODEL', 'AUTHOR_NAME', 'SECRETARY_EMAIL'],
  },
  {
    id: 'env.key',
    description: 'API, access, private and signing keys',
    pattern: /(?:^|_)(?:KEY|APIKEY|API_KEY|ACCESS_KEY|ACCESS_KEY_ID|PRIVATE_KEY|SIGNING_KEY|ENCRYPTION_KEY|LICENSE_KEY)(?:_|$)/i,
    positives: ['STRIPE_KEY', 'OPENAI_API_KEY', 'AWS_ACCESS_KEY_ID', 'SIGNING_KEY', 'APIKEY'],
    negatives: ['KEYCLOAK_REALM', 'MONKEY_MODE', 'KEYSPACE'],
  },
  {
    id: 'env.connection-string',
    description: 'connection strings and DSNs that usually embed credentials',
    pattern: /(?:^|_)(?:DATABASE_URL|DB_URL|DSN|CONNECTION_STRING|CONN_STR|MONGO_URI|MONGODB_URI|REDIS_URL|AMQP_URL|RABBITMQ_URL|SENTRY_DSN)(?:_|$)/i,
    positives: ['DATABASE_URL', 'SENTRY_DSN', 'MONGODB_URI', 'REDIS_URL', 'PG_CONNECTION_STRING'],
    negatives: ['DATABASE_NAME', 'PUBLIC_URL', 'DNS_SERVER'],
  },
];

/** Values that carry credentials whatever the name: URLs with user:password@. */
export const CREDENTIAL_URL_PATTERN = /^[a-z][a-z0-9+.-]{0,30}:\/\/[^\s/:@]{1,200}:[^\s/@]{1,200}@/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME_RULES.some((r) => r.pattern.test(name));
}

export function isSecretEnv(name: string, value: string | null): boolean {
  if (isSecretEnvName(name)) return true;
  return value !== null && CREDENTIAL_URL_PATTERN.test(value);
}
