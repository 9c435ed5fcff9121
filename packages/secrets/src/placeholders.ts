/**
 * Values that look like secrets syntactically but are templates, docs samples or defaults.
 * Suppressing them is most of what separates a usable scanner from a noisy one.
 */
const PLACEHOLDER_SUBSTRINGS = [
  'xxxx', 'example', 'changeme', 'change_me', 'change-me', 'dummy', 'placeholder', 'your_', 'your-', 'yourkey',
  'yourtoken', 'yoursecret', 'yourpass', '_here', '-here', 'redacted', 'sample', 'fake', 'insert', 'replace_',
  'replace-', 'todo', '****', '....', '12345678', 'abcdefgh', 'lorem', 'notreal', 'not_real', 'not-a-real', 'secret_key_here',
];

/** Whole values that are words, not credentials. */
const PLACEHOLDER_WORDS = new Set([
  'password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'null', 'none', 'undefined', 'true', 'false', 'empty',
  'string', 'value', 'required', 'optional', 'default', 'redacted', 'hidden', 'masked', 'unset', 'nil',
]);

/** Default passwords of database images; flagging them in dev compose files is noise, not a leak. */
export const DEFAULT_PASSWORDS = new Set([
  'postgres', 'postgresql', 'mysql', 'root', 'admin', 'pass', 'password', 'secret', 'test', 'guest', 'redis', 'mongo',
  'mongodb', 'rabbitmq', 'user', 'username', 'pwd', 'passw0rd', 'p@ssw0rd', 'letmein', 'default', 'changeit', 'sa',
]);

const TEMPLATE = /\$\{|\{\{|\}\}|\$\(|%\(|<[^>]{0,40}>|^\$[A-Za-z_]|^%[A-Za-z_]+%$|^@[A-Za-z_]+@$|^\[[^\]]*\]$/;

export function isPlaceholder(secret: string): boolean {
  if (TEMPLATE.test(secret)) return true;
  const lower = secret.toLowerCase();
  if (PLACEHOLDER_WORDS.has(lower)) return true;
  for (const s of PLACEHOLDER_SUBSTRINGS) if (lower.includes(s)) return true;
  // All the same character, or two characters alternating ("abababab", "00000000").
  const distinct = new Set(lower.replace(/[^a-z0-9]/g, '')).size;
  if (distinct <= 2) return true;
  return false;
}

/** Generic values that are really code or config references, not literals. */
const REFERENCE = [
  /^(?:process\.env|os\.environ|env|config|settings|secrets|vars|inputs|this|self|props|options|opts|params|args|ctx|context|req|request)[.[]/i,
  /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/, // ENV_VAR_NAME
  /^[a-z][a-z0-9]*(?:[._-][a-z][a-z0-9]*)+$/, // dotted.or-dashed.words
  /^[a-z]+(?:[A-Z][a-z0-9]*)+$/, // camelCaseIdentifier
  /^(?:https?|file):\/\//i,
  /^(?:\.{0,2}\/)[\w./-]+$/, // file paths
  /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[\w.-]*)+$/, // host/path: authentication.k8s.io/v1
  // A member path ending in a word-shaped name: index_js_1.TokenizerMode.RAWTEXT, Errors.InvalidToken
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\.(?:(?:[A-Z]?[a-z]+)+|[A-Z]+(?:_[A-Z]+)*)\d*$/,
];

export function looksLikeReference(value: string): boolean {
  return REFERENCE.some((r) => r.test(value));
}

/** Source files, where an unquoted value after `=` or `:` is an expression or a type, never a literal. */
const CODE_EXTENSIONS = new Set([
  'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'vue', 'svelte', 'py', 'go', 'java', 'kt', 'kts', 'scala',
  'groovy', 'rb', 'php', 'cs', 'rs', 'swift', 'c', 'h', 'cc', 'cpp', 'hpp', 'm', 'dart', 'lua',
]);

export function isCodePath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && CODE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}
