import { isIPv6 } from 'node:net';
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';

export type PiiType = 'email' | 'phone' | 'ipv4' | 'ipv6' | 'credit-card' | 'iban' | 'private-key';

export interface Redaction {
  type: string;
  placeholder: string;
}

export interface RedactionResult {
  text: string;
  redactions: Redaction[];
}

interface Span {
  start: number;
  end: number;
}

/**
 * One PII detector, as data: what it finds, the regexes it uses (ReDoS-checked),
 * and test vectors that one test walks (positives must be redacted as `type`,
 * negatives must not be).
 */
export interface PiiRule {
  type: PiiType;
  description: string;
  patterns: readonly RegExp[];
  find(text: string): Span[];
  positives: readonly string[];
  negatives: readonly string[];
}

export function placeholderFor(type: string): string {
  return `[REDACTED:${type}]`;
}

function regexSpans(pattern: RegExp, text: string, accept: (match: RegExpExecArray) => boolean = () => true): Span[] {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const spans: Span[] = [];
  for (const m of text.matchAll(global)) {
    if (m.index !== undefined && accept(m)) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  return spans;
}

// ---------- private keys ----------
// The header is found by regex; the matching END line (or, for a truncated paste, the run of
// base64-looking lines after the header) is found in code, which keeps the regex linear.
const PRIVATE_KEY_HEADER = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/;
const PRIVATE_KEY_FOOTER = /-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----/;
const KEY_BODY_LINE = /^[A-Za-z0-9+/=:,. -]{1,200}$/;

function findPrivateKeys(text: string): Span[] {
  const spans: Span[] = [];
  for (const header of regexSpans(PRIVATE_KEY_HEADER, text)) {
    if (spans.length > 0 && header.start < (spans[spans.length - 1]?.end ?? 0)) continue;
    const rest = text.slice(header.end);
    const footer = PRIVATE_KEY_FOOTER.exec(rest);
    if (footer) {
      spans.push({ start: header.start, end: header.end + footer.index + footer[0].length });
      continue;
    }
    // Truncated block: take every following line that looks like key material.
    let end = header.end;
    for (const line of rest.split('\n').slice(1)) {
      if (line.trim() === '' || !KEY_BODY_LINE.test(line.trim())) break;
      end = text.indexOf(line, end) + line.length;
    }
    spans.push({ start: header.start, end });
  }
  return spans;
}

// ---------- email ----------
const EMAIL = /(?<![\w.%+-])[\w%+-](?:[\w.%+-]{0,62}[\w%+-])?@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])/;
// git@github.com:org/repo.git is an SSH remote, not a person.
const SSH_REMOTE_AFTER = /^:[\w.-]/;

// ---------- credit cards ----------
const CARD_CANDIDATE = /(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-]|\.\d)/;

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Issuer prefixes of the card networks people actually paste: Visa, Mastercard, Amex,
// Discover, JCB, Diners, UnionPay, Maestro. Luhn alone passes 1 in 10 random numbers.
const CARD_ISSUER = /^(?:4\d{12}(?:\d{3}){0,2}|5[1-5]\d{14}|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}|3[47]\d{13}|6(?:011|5\d\d|4[4-9]\d)\d{12,15}|35(?:2[89]|[3-8]\d)\d{12,15}|3(?:0[0-5]|[68]\d)\d{11,16}|62\d{14,17}|(?:50|5[6-9]|6\d)\d{10,17})$/;

function isCardNumber(candidate: string): boolean {
  const separators = new Set(candidate.replace(/\d/g, ''));
  if (separators.size > 1) return false; // "4111 1111-1111 1111" is not how cards are written
  const digits = candidate.replace(/\D/g, '');
  return digits.length >= 13 && digits.length <= 19 && CARD_ISSUER.test(digits) && luhnValid(digits);
}

// ---------- IBAN ----------
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/;

/** IBAN lengths by country (ISO 13616 registry); unknown countries are not IBANs. */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27,
  GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21,
  LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20,
};

export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '').toUpperCase();
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  // mod-97 (ISO 7064): move the first four characters to the end, letters become 10..35.
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    if (value < 0 || value > 35) return false;
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

// ---------- IP addresses ----------
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.-])${OCTET}(?:\\.${OCTET}){3}(?:/(?:3[0-2]|[12]?\\d))?(?![\\w-]|\\.\\d)`);
// "v1.2.3.4", "version 1.2.3.4", "==1.2.3.4": a four-part version, not an address ("admin@1.2.3.4" is a host).
const VERSION_CONTEXT = /(?:\bv|\bversions?|\bver|\brelease|\btag|==|>=|<=|~=|\^|~)\s?$/i;

/**
 * Addresses that identify no host or person and that runbooks legitimately
 * contain: unspecified, loopback, broadcast/netmasks. Private ranges written as
 * CIDR blocks (cidr_block = "10.0.0.0/16") are configuration, not hosts.
 */
function isKeptIpv4(address: string, prefix: string | undefined): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  if (a === 0 || a === 127 || a === 255) return true;
  if (prefix === undefined) return false;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f:.]{3,45}(?:%\w{1,16})?(?![\w:])/;

function isRedactableIpv6(candidate: string): boolean {
  const address = candidate.replace(/\.+$/, '').split('%')[0] ?? '';
  if (!address.includes(':') || !/\d/.test(address) || !isIPv6(address)) return false;
  // :: and ::1 are the unspecified and loopback addresses.
  return address !== '::' && address !== '::1';
}

// ---------- phones ----------
// National formats are tried for the countries whose conventions don't collide with
// versions and dates; everything else needs its +country prefix.
const PHONE_DEFAULT_COUNTRIES: readonly CountryCode[] = ['US', 'GB'];
const DATE_LIKE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/;

function findPhones(text: string): Span[] {
  const spans: Span[] = [];
  for (const country of PHONE_DEFAULT_COUNTRIES) {
    for (const m of findPhoneNumbersInText(text, country)) {
      const raw = text.slice(m.startsAt, m.endsAt);
      // A bare run of digits is more often an id or a timestamp than a phone number.
      if (!raw.startsWith('+') && !/[\s().-]/.test(raw)) continue;
      if (DATE_LIKE.test(raw)) continue;
      spans.push({ start: m.startsAt, end: m.endsAt });
    }
  }
  return spans;
}

export const PII_RULES: readonly PiiRule[] = [
  {
    type: 'private-key',
    description: 'PEM / OpenSSH private key blocks (complete or truncated)',
    patterns: [PRIVATE_KEY_HEADER, PRIVATE_KEY_FOOTER, KEY_BODY_LINE],
    find: findPrivateKeys,
    positives: [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq9\nZm9vYmFy\n-----END RSA PRIVATE KEY-----',
      'key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n',
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----',
    ],
    negatives: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'mount the private key file at /etc/ssl/private/tls.key'],
  },
  {
    type: 'email',
    description: 'e-mail addresses (SSH remotes like git@github.com:org/repo are kept)',
    patterns: [EMAIL, SSH_REMOTE_AFTER],
    find: (text) => regexSpans(EMAIL, text, (m) => !SSH_REMOTE_AFTER.test(text.slice((m.index ?? 0) + m[0].length))),
    positives: ['mail ops@example.com then', 'Jane.Doe+alerts@corp.mail.co.uk', 'contact <sre-team@acme.io>.'],
    negatives: ['git clone git@github.com:acme/api.git', 'npm i @linkops/whis', 'image@sha256:abcd', 'user@localhost'],
  },
  {
    type: 'iban',
    description: 'IBANs with a valid country length and mod-97 checksum',
    patterns: [IBAN_CANDIDATE],
    find: (text) => regexSpans(IBAN_CANDIDATE, text, (m) => ibanValid(m[0])),
    positives: ['pay to DE89 3704 0044 0532 0130 00 today', 'GB82WEST12345698765432', 'FR1420041010050500013M02606'],
    negatives: ['DE89 3704 0044 0532 0130 01', 'GB82WEST12345698765431', 'ZZ12 3456 7890 1234 5678', 'AB12CDEF34'],
  },
  {
    type: 'credit-card',
    description: 'payment card numbers (issuer prefix + Luhn checksum)',
    patterns: [CARD_CANDIDATE, CARD_ISSUER],
    find: (text) => regexSpans(CARD_CANDIDATE, text, (m) => isCardNumber(m[0])),
    positives: ['card 4111 1111 1111 1111 exp', '5500-0000-0000-0004', '378282246310005', '6011111111111117'],
    negatives: ['4111 1111 1111 1112', '1234567812345678', 'order 9999999999999999', '4111 1111-1111 1111', 'ts 1700000000000'],
  },
  {
    type: 'ipv6',
    description: 'IPv6 addresses except :: and ::1',
    patterns: [IPV6_CANDIDATE],
    find: (text) => regexSpans(IPV6_CANDIDATE, text, (m) => isRedactableIpv6(m[0])),
    positives: ['ssh to 2001:db8:85a3::8a2e:370:7334 now', 'fe80::1ff:fe23:4567:890a%eth0', 'listen [2a02:6b8::11]:443'],
    negatives: ['bind to ::1 only', 'std::vector<int>', 'at 12:30:45 UTC', 'listen on :: and 0.0.0.0', 'dead:beef'],
  },
  {
    type: 'ipv4',
    description: 'IPv4 host addresses; loopback/unspecified/broadcast, private CIDR blocks and versions are kept',
    patterns: [IPV4, VERSION_CONTEXT],
    find: (text) =>
      regexSpans(IPV4, text, (m) => {
        const [address = '', prefix] = m[0].split('/');
        if (isKeptIpv4(address, prefix)) return false;
        return !VERSION_CONTEXT.test(text.slice(Math.max(0, (m.index ?? 0) - 12), m.index));
      }),
    positives: ['ssh admin@203.0.113.7', 'db at 10.0.3.17:5432', 'allow 52.14.200.9/32', 'node 192.168.1.20.'],
    negatives: ['bind 0.0.0.0:8080', 'curl 127.0.0.1', 'upgrade to v1.2.3.4', 'version 4.2.1.0', 'cidr_block = "10.0.0.0/16"', 'semver 1.2.3', '256.1.1.1', 'mask 255.255.255.0'],
  },
  {
    type: 'phone',
    description: 'phone numbers: international (+cc) anywhere, US/UK national formats',
    patterns: [DATE_LIKE],
    find: findPhones,
    positives: ['call +1 415-555-2671', 'uk office 020 7946 0958', '(415) 555-2671', '+33 1 23 45 67 89', '+49 30 901820'],
    negatives: ['helm 3.14.2', 'released 2024-01-15', 'ports 8080:80', 'ts 1700000000', 'replicas 3 timeout 300 600 900', 'run id 4155552671'],
  },
];

/** Removes spans that overlap an earlier (kept) one. */
function dropOverlaps(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const span of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || span.start >= last.end) kept.push(span);
  }
  return kept;
}

/** Applies one rule to text, replacing each finding with its typed placeholder. */
export function applyRule(rule: { type: string; find(text: string): Span[] }, text: string): RedactionResult {
  const spans = dropOverlaps(rule.find(text));
  const placeholder = placeholderFor(rule.type);
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += text.slice(cursor, span.start) + placeholder;
    cursor = span.end;
  }
  out += text.slice(cursor);
  return { text: out, redactions: spans.map(() => ({ type: rule.type, placeholder })) };
}

/**
 * Redacts personal data. Rules run in PII_RULES order (most specific first, so a
 * card number is not half-eaten as a phone number). Redactions record type and
 * placeholder only, never the value.
 */
export function redactPII(text: string): RedactionResult {
  let current = text;
  const redactions: Redaction[] = [];
  for (const rule of PII_RULES) {
    const result = applyRule(rule, current);
    current = result.text;
    redactions.push(...result.redactions);
  }
  return { text: current, redactions };
}
