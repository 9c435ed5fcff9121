import { lookup } from 'node:dns/promises';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Hosts accepted when the caller does not configure its own list. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ['github.com', 'gitlab.com', 'bitbucket.org'];
export const MAX_REPO_URL_LENGTH = 2048;

export type RepoUrlErrorCode =
  | 'empty'
  | 'too_long'
  | 'option_like'
  | 'whitespace'
  | 'shell_metachar'
  | 'transport_not_allowed'
  | 'scp_like'
  | 'scheme_not_allowed'
  | 'invalid_url'
  | 'credentials'
  | 'port_not_allowed'
  | 'ip_literal'
  | 'host_not_allowed'
  | 'private_address'
  | 'dns_failed'
  | 'local_not_allowed'
  | 'local_not_found'
  | 'local_not_git'
  | 'invalid_ref';

/** A repository URL (or ref) that must not be cloned; `reason` is safe to show to the user. */
export class RepoUrlError extends Error {
  override readonly name = 'RepoUrlError';
  constructor(
    readonly code: RepoUrlErrorCode,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

export interface ValidatedRepo {
  kind: 'https' | 'local';
  /** https: the normalized URL; local: the absolute directory path. */
  url: string;
  host?: string;
}

export interface ValidateRepoUrlOptions {
  allowLocal: boolean;
  allowedHosts?: readonly string[];
  /** DNS resolver (injected in tests); defaults to the system resolver, all addresses. */
  resolve?: (host: string) => Promise<string[]>;
}

// Characters a shell or git would give meaning to; none occur in a legitimate hosted repo URL.
const SHELL_METACHAR = /[;|&`$<>\\'"(){}*?!]/;
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;
// git's "<transport>::<address>" remote-helper syntax (ext::, fd::, ...).
const TRANSPORT_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*::/;
// scp-like syntax git accepts: [user@]host:path (no scheme, colon before any slash).
const SCP_LIKE = /^(?:[^@/:]+@)?[^/:]+:(?!\/\/)/;
const SAFE_PATH = /^[A-Za-z0-9._~/-]+$/;

async function systemResolve(host: string): Promise<string[]> {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith('*.')) return host.endsWith(e.slice(1)) && host.length > e.length - 1;
    return host === e;
  });
}

/**
 * Checks a user-supplied repository location before anything touches the network or disk.
 * Throws RepoUrlError with a code and a human reason; returns the normalized location otherwise.
 * DNS is resolved here to refuse hosts pointing at internal addresses (a later re-resolution by
 * git could still differ: the clone runs with protocol restrictions as a second line).
 */
export async function validateRepoUrl(input: string, opts: ValidateRepoUrlOptions): Promise<ValidatedRepo> {
  if (typeof input !== 'string' || input.trim() === '') throw new RepoUrlError('empty', 'repository URL is empty');
  if (input.length > MAX_REPO_URL_LENGTH) {
    throw new RepoUrlError('too_long', `repository URL is longer than ${MAX_REPO_URL_LENGTH} characters`);
  }
  if (input.startsWith('-')) throw new RepoUrlError('option_like', 'repository URL must not start with "-" (it would be read as a git option)');
  if (CONTROL_OR_SPACE.test(input)) throw new RepoUrlError('whitespace', 'repository URL contains whitespace or control characters');
  if (SHELL_METACHAR.test(input)) throw new RepoUrlError('shell_metachar', 'repository URL contains shell metacharacters');
  if (TRANSPORT_PREFIX.test(input)) {
    throw new RepoUrlError('transport_not_allowed', 'git remote-helper transports (e.g. ext::) are not allowed');
  }

  if (input.startsWith('/') || /^file:/i.test(input)) return validateLocal(input, opts.allowLocal);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(input) && SCP_LIKE.test(input)) {
    throw new RepoUrlError('scp_like', 'scp-like SSH addresses (git@host:path) are not allowed; use https://');
  }

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new RepoUrlError('invalid_url', 'not a valid URL');
  }
  if (url.protocol !== 'https:') {
    throw new RepoUrlError('scheme_not_allowed', `scheme "${url.protocol.replace(/:$/, '')}" is not allowed; only https:// is`);
  }
  if (url.username !== '' || url.password !== '' || input.slice(8).split('/')[0]!.includes('@')) {
    throw new RepoUrlError('credentials', 'credentials must not be embedded in the repository URL');
  }
  if (url.port !== '' && url.port !== '443') throw new RepoUrlError('port_not_allowed', 'only the default https port is allowed');
  if (url.search !== '' || url.hash !== '' || input.includes('?') || input.includes('#')) {
    throw new RepoUrlError('invalid_url', 'query strings and fragments are not allowed');
  }
  // The URL parser would decode %2e%2e into ".." and resolve it away: refuse escapes outright.
  if (input.includes('%')) throw new RepoUrlError('invalid_url', 'percent-escapes are not allowed in repository URLs');
  // WHATWG parsing already turned 0x7f000001, 2130706433 and 0177.0.0.1 into dotted IPv4.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const bareHost = host.replace(/^\[|\]$/g, '');
  if (isIP(bareHost) !== 0 || /^[0-9.]+$/.test(host) || /^0x/i.test(host)) {
    throw new RepoUrlError('ip_literal', 'IP-address hosts are not allowed; use a host name');
  }
  const allowed = opts.allowedHosts && opts.allowedHosts.length > 0 ? opts.allowedHosts : DEFAULT_ALLOWED_HOSTS;
  if (!hostAllowed(host, allowed)) throw new RepoUrlError('host_not_allowed', `host "${host}" is not in the allowed list`);
  const repoPath = url.pathname.replace(/\/+$/, '');
  if (repoPath === '' || !SAFE_PATH.test(repoPath) || repoPath.split('/').some((seg) => seg === '..' || seg.startsWith('-'))) {
    throw new RepoUrlError('invalid_url', 'repository path must look like /owner/name');
  }

  let addresses: string[];
  try {
    addresses = await (opts.resolve ?? systemResolve)(host);
  } catch {
    throw new RepoUrlError('dns_failed', `host "${host}" could not be resolved`);
  }
  if (addresses.length === 0) throw new RepoUrlError('dns_failed', `host "${host}" has no addresses`);
  const internal = addresses.find((a) => isInternalAddress(a));
  if (internal !== undefined) {
    throw new RepoUrlError('private_address', `host "${host}" resolves to a private, loopback or link-local address`);
  }
  return { kind: 'https', url: `https://${host}${repoPath}`, host };
}

async function validateLocal(input: string, allowLocal: boolean): Promise<ValidatedRepo> {
  if (!allowLocal) throw new RepoUrlError('local_not_allowed', 'local paths and file:// URLs are not allowed here');
  let dir: string;
  try {
    dir = input.startsWith('/') ? path.resolve(input) : fileURLToPath(input);
  } catch {
    throw new RepoUrlError('invalid_url', 'not a valid file:// URL');
  }
  const st = await stat(dir).catch(() => null);
  if (!st || !st.isDirectory()) throw new RepoUrlError('local_not_found', 'local repository path is not an existing directory');
  // Only git repositories (a work tree with .git, or a bare repository): never an arbitrary directory like /etc.
  const isWorkTree = await stat(path.join(dir, '.git')).then(() => true, () => false);
  const isBare = !isWorkTree && (await stat(path.join(dir, 'HEAD')).then((s) => s.isFile(), () => false)) && (await stat(path.join(dir, 'objects')).then((s) => s.isDirectory(), () => false));
  if (!isWorkTree && !isBare) throw new RepoUrlError('local_not_git', 'local path is not a git repository');
  return { kind: 'local', url: dir };
}

const SAFE_REF = /^[A-Za-z0-9._/-]+$/;
/** Refs go to git as arguments: refuse anything option-like or outside a conservative charset. */
export function validateRef(ref: string): string {
  if (ref.length === 0 || ref.length > 255 || !SAFE_REF.test(ref) || ref.startsWith('-') || ref.includes('..') || ref.endsWith('.lock') || ref.startsWith('/') || ref.endsWith('/')) {
    throw new RepoUrlError('invalid_ref', 'ref must be a branch, tag or commit name without special characters');
  }
  return ref;
}

function parseIPv4(a: string): number[] | null {
  const parts = a.split('.');
  if (parts.length !== 4) return null;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums : null;
}

function ipv4Internal(o: number[]): boolean {
  const [a, b, c] = o as [number, number, number, number];
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

/** Expands an IPv6 address (optionally with a dotted IPv4 tail) into 8 16-bit groups. */
function parseIPv6(a: string): number[] | null {
  let s = a.replace(/^\[|\]$/g, '').split('%')[0]!.toLowerCase();
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4tail) {
    const o = parseIPv4(v4tail[1]!);
    if (!o) return null;
    s = s.slice(0, -v4tail[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

/**
 * True for any address a server-side fetch must not reach: loopback, private, link-local (cloud
 * metadata), CGNAT, unique-local IPv6, multicast, and IPv4 embedded in IPv6 (mapped, NAT64, 6to4).
 * Unparseable input counts as internal (fail closed).
 */
export function isInternalAddress(address: string): boolean {
  const v4 = parseIPv4(address);
  if (v4) return ipv4Internal(v4);
  const g = parseIPv6(address);
  if (!g) return true;
  const embedded = (hi: number, lo: number) => ipv4Internal([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  if (g.slice(0, 6).every((x) => x === 0)) return true; // ::, ::1, deprecated IPv4-compatible
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return embedded(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b) return embedded(g[6]!, g[7]!); // NAT64
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!); // 6to4
  const first = g[0]!;
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local
    (first & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (first & 0xff00) === 0xff00 || // multicast
    (first === 0x2001 && g[1] === 0x0db8) // documentation
  );
}
