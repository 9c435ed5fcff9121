/**
 * Regular expressions shared by the non-SAST rules. They live here so the ReDoS test can reach every
 * one of them (SAST rule patterns are reached through the SAST rule records).
 */
export const PATTERNS = {
  /** An environment assignment prefix in a shell command (`FOO=bar cmd`). */
  envAssignment: /^[A-Za-z_][A-Za-z0-9_]*=/,
  /** Variable names that usually carry credentials. */
  secretName: /(?:passw(?:or)?d|passwd|secret|token|api_?key|apikey|private_?key|access_?key|credential|auth_?key|client_?secret)/i,
  /** A URL with user:password@ credentials. */
  urlWithCredentials: /^[a-z][a-z0-9+.-]{0,20}:\/\/[^\s/:@]{1,100}:[^\s/@]{1,200}@/i,
  /** Untrusted contexts in a workflow expression (attacker-controlled in pull requests, issues, comments). */
  untrustedContext: /\bgithub\.(?:event\.(?:issue\.(?:title|body)|pull_request\.(?:title|body|head\.ref|head\.label|head\.repo\.default_branch)|comment\.body|review\.body|review_comment\.body|pages\.[\w*]{1,10}\.page_name|commits\.[\w*]{1,10}\.(?:message|author\.email|author\.name)|head_commit\.(?:message|author\.email|author\.name)|workflow_run\.(?:head_branch|head_commit\.message|display_title)|discussion\.(?:title|body)|inputs\.[\w-]{1,100})|head_ref)\b/,
  /** A full 40-hex commit SHA after `@` in `uses:`. */
  fullSha: /^[0-9a-f]{40}$/,
  /** A package spec pinned with a version: name=1.2, name==1.2, name@1.2, name:1.2 (gem -v handled apart). */
  aptPinned: /^[^=\s]{1,200}=\S/,
  apkPinned: /^[^=\s]{1,200}=\S/,
  pipPinned: /^[^=<>~!\s]{1,200}(?:==|~=|===|<=|>=|<|>)\S/,
  npmPinned: /^@?[^@\s]{1,200}@\S/,
  /** A TCP port with optional protocol, e.g. 22 or 22/tcp. */
  port: /^(\d{1,5})(?:\/(?:tcp|udp|sctp))?$/i,
  /** The hex part of an image digest (after @sha256:). */
  sha256Hex: /^[0-9a-f]{64}$/,
  /** Deprecated Kubernetes API groups. */
  deprecatedApi: /^(?:extensions\/v1beta1|apps\/v1beta[12]|policy\/v1beta1|batch\/v1beta1|batch\/v2alpha1|networking\.k8s\.io\/v1beta1|rbac\.authorization\.k8s\.io\/v1(?:alpha|beta)1|autoscaling\/v2beta[12]|storage\.k8s\.io\/v1beta1|scheduling\.k8s\.io\/v1(?:alpha|beta)1|apiextensions\.k8s\.io\/v1beta1|admissionregistration\.k8s\.io\/v1beta1|certificates\.k8s\.io\/v1beta1|coordination\.k8s\.io\/v1beta1|discovery\.k8s\.io\/v1beta1|events\.k8s\.io\/v1beta1|flowcontrol\.apiserver\.k8s\.io\/v1beta[123])$/,
  /** Compose/K8s images of databases and caches that should never be published to all interfaces. */
  databaseImage: /^(?:[\w.-]{1,100}\/){0,3}(?:postgres|postgis|mysql|mariadb|mongo|redis|valkey|memcached|elasticsearch|opensearch|cassandra|couchdb|neo4j|rabbitmq|influxdb|clickhouse|mssql|oracle|cockroach)[\w.-]{0,100}(?::[\w.-]{1,128})?$/i,
  /** ADD sources that are remote (ADD is the documented way to fetch them). */
  remoteSource: /^(?:https?|git|ssh):\/\/|^git@/,
  /** Local archives ADD extracts, or pip installs from. */
  archiveSource: /\.(?:tar|tgz|tar\.[a-z0-9]{1,4}|whl|zip)$/i,
  aptRecommendsOff: /Install-Recommends=(?:false|0)\b/i,
  windowsPath: /^[A-Za-z]:[\\/]/,
  /** Helm values files: values.yaml, values-prod.yaml, values.dev.yml. */
  helmValuesFile: /^values(?:[.-][a-z0-9_-]{1,60})?\.ya?ml$/i,
  /** Kubernetes-looking YAML: a top-level apiVersion and kind. */
  k8sApiVersion: /^apiVersion:[ \t]*\S/m,
  k8sKind: /^kind:[ \t]*\S/m,
} as const;

/** Suffixes of names that look secret but only configure a secret (DB_PASSWORD_FILE, TOKEN_TTL). */
const BENIGN_SECRET_SUFFIXES = ['_file', '_path', '_dir', '_ref', '_name', '_env', '_length', '_ttl', '_expiry', '_expires', '_expiration', '_header', '_url_file'];

export function isBenignSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  return BENIGN_SECRET_SUFFIXES.some((s) => lower.endsWith(s));
}

/** Credential-like variable names, minus the ones that only point at a credential. */
export function isSecretName(name: string): boolean {
  return PATTERNS.secretName.test(name) && !isBenignSecretName(name);
}

/** `${{ … }}` expressions of a workflow string, scanned by hand (no regex over attacker text). */
export function workflowExpressions(text: string): Array<{ expression: string; inner: string; index: number }> {
  const out: Array<{ expression: string; inner: string; index: number }> = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${{', from);
    if (start < 0) break;
    const end = text.indexOf('}}', start + 3);
    if (end < 0) break;
    out.push({ expression: text.slice(start, end + 2), inner: text.slice(start + 3, end), index: start });
    from = end + 2;
  }
  return out;
}

/** Every regex above, for the ReDoS test. */
export const ALL_PATTERNS: ReadonlyArray<{ name: string; regex: RegExp }> = Object.entries(PATTERNS).map(
  ([name, regex]) => ({ name, regex }),
);
