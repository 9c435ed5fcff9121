import type { SecretRule } from '../types.js';
import { B64, rule, sample } from './helpers.js';

/** Line break inside a PEM block: a real newline, or an escaped one in JSON/.env one-liners. */
const NL = '(?:\\r?\\n|\\\\r\\\\n|\\\\n)';
/**
 * Base64 body lines (optionally indented, as in YAML block scalars). Unbounded loops on purpose: line breaks and
 * indentation are outside the base64 class, so the pattern is unambiguous (linear), and huge bounded counts would
 * blow up the ReDoS checker's automaton for nothing.
 */
const BODY = `[ \\t]*([A-Za-z0-9+/=]+(?:${NL}[ \\t]*[A-Za-z0-9+/=]+)+)`;

function pem(label: string): RegExp {
  return new RegExp(`-----BEGIN ${label}-----[ \\t]*${NL}${BODY}${NL}[ \\t]*-----END ${label}-----`);
}

function body(seed: string, lines: number, sep = '\n', indent = ''): string {
  let out = '';
  for (let i = 0; i < lines; i++) out += indent + sample(`${seed}-${i}`, i === lines - 1 ? 44 : 64, B64) + sep;
  return out;
}

function pemSamples(label: string, seed: string, lead: string): string[] {
  const b = (sep: string, indent = '') => {
    const lines = Array.from({ length: 6 }, (_, i) => sample(`${seed}-${i}`, i === 5 ? 44 : 64, B64));
    lines[0] = lead + lines[0]!.slice(lead.length);
    return lines.map((l) => indent + l + sep).join('');
  };
  return [
    `-----BEGIN ${label}-----\n${b('\n')}-----END ${label}-----\n`,
    `tls:\n  key: |\n    -----BEGIN ${label}-----\n${b('\n', '    ')}    -----END ${label}-----\n`,
    `{"key": "-----BEGIN ${label}-----\\n${b('\\n')}-----END ${label}-----\\n"}`,
    `PRIVATE_KEY="-----BEGIN ${label}-----\\n${b('\\n')}-----END ${label}-----"`,
    `const key = \`-----BEGIN ${label}-----\r\n${b('\r\n')}-----END ${label}-----\`;`,
  ];
}

function pemNegatives(label: string): string[] {
  return [
    `-----BEGIN ${label}-----\n...\n-----END ${label}-----`,
    `-----BEGIN ${label}-----\n<paste your key here>\n-----END ${label}-----`,
    `const header = '-----BEGIN ${label}-----';`,
    `-----BEGIN ${label}-----\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n-----END ${label}-----`,
  ];
}

const KEY_REMEDIATION =
  'Treat the key as compromised: revoke it (remove the public half from authorized_keys/servers, reissue certificates), ' +
  'delete it from the repository and history, and store keys in a secret manager or mount them at runtime.';

function pemRule(id: string, description: string, label: string, keyword: string, lead: string, gitleaks: string): SecretRule {
  return rule({
    id,
    description,
    severity: 'critical',
    regex: pem(label),
    keywords: [keyword],
    multiline: true,
    entropy: 4,
    gitleaks,
    secretlint: '@secretlint/secretlint-rule-privatekey',
    remediation: KEY_REMEDIATION,
    samplePath: 'deploy/key.pem',
    positives: pemSamples(label, id, lead),
    negatives: pemNegatives(label),
  });
}

export const privateKeyRules: SecretRule[] = [
  pemRule('private-key-rsa', 'RSA private key (PKCS#1)', 'RSA PRIVATE KEY', 'begin rsa private key', 'MIIEpAIBAAKCAQEA', 'private-key'),
  pemRule('private-key-ec', 'EC private key (SEC1)', 'EC PRIVATE KEY', 'begin ec private key', 'MHcCAQEEI', 'private-key'),
  pemRule('private-key-dsa', 'DSA private key', 'DSA PRIVATE KEY', 'begin dsa private key', 'MIIBuwIBAAKBgQ', 'private-key'),
  pemRule('private-key-openssh', 'OpenSSH private key', 'OPENSSH PRIVATE KEY', 'begin openssh private key', 'b3BlbnNzaC1rZXktdjEAAAAA', 'private-key'),
  pemRule('private-key-pkcs8', 'Private key (PKCS#8)', 'PRIVATE KEY', 'begin private key', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'private-key'),
  pemRule('private-key-encrypted-pkcs8', 'Encrypted private key (PKCS#8; still sensitive, the passphrase may be weak)', 'ENCRYPTED PRIVATE KEY', 'begin encrypted private key', 'MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkq', 'private-key'),
  pemRule('private-key-ssh2', 'SSH2 private key (ssh.com format)', 'SSH2 ENCRYPTED PRIVATE KEY', 'begin ssh2 encrypted private key', 'P2/56wAAA', 'private-key'),
  rule({
    id: 'private-key-pgp',
    description: 'PGP private key block',
    severity: 'critical',
    regex: new RegExp(`-----BEGIN PGP PRIVATE KEY BLOCK-----[ \\t]*${NL}(?:[A-Za-z][\\w-]{0,30}: [^\\r\\n\\\\]{1,200}${NL}){0,10}(?:[ \\t]*${NL})?${BODY}`),
    keywords: ['begin pgp private key block'],
    multiline: true,
    entropy: 4,
    gitleaks: 'pgp-private-key',
    secretlint: '@secretlint/secretlint-rule-privatekey',
    remediation: KEY_REMEDIATION,
    samplePath: 'keys/signing.asc',
    positives: [
      `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF${body('pgp', 8)}=tL5x\n-----END PGP PRIVATE KEY BLOCK-----\n`,
      `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQVYBG${body('pgp2', 8)}-----END PGP PRIVATE KEY BLOCK-----`,
      `GPG_KEY="-----BEGIN PGP PRIVATE KEY BLOCK-----\\n\\nlQVYBG${body('pgp3', 4, '\\n')}-----END PGP PRIVATE KEY BLOCK-----"`,
    ],
    negatives: pemNegatives('PGP PRIVATE KEY BLOCK'),
  }),
  rule({
    id: 'private-key-pem-encrypted-legacy',
    description: 'Encrypted PEM private key (Proc-Type: 4,ENCRYPTED)',
    severity: 'high',
    regex: new RegExp(`-----BEGIN (?:RSA|EC|DSA) PRIVATE KEY-----[ \\t]*${NL}Proc-Type: 4,ENCRYPTED${NL}DEK-Info: [^\\r\\n\\\\]{1,100}${NL}(?:[ \\t]*${NL})?${BODY}`),
    keywords: ['begin rsa private key', 'begin ec private key', 'begin dsa private key'],
    multiline: true,
    entropy: 4,
    gitleaks: 'private-key',
    remediation: KEY_REMEDIATION,
    samplePath: 'deploy/key.pem',
    positives: [
      `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${sample('dek', 32, '0123456789ABCDEF')}\n\n${body('enc-rsa', 6)}-----END RSA PRIVATE KEY-----`,
      `-----BEGIN EC PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-256-CBC,${sample('dek2', 32, '0123456789ABCDEF')}\r\n\r\n${body('enc-ec', 4, '\r\n')}-----END EC PRIVATE KEY-----`,
    ],
    negatives: ['-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,...\n\n...\n-----END RSA PRIVATE KEY-----'],
  }),
  rule({
    id: 'private-key-putty',
    description: 'PuTTY private key (.ppk)',
    severity: 'critical',
    regex: /PuTTY-User-Key-File-[23]: [\w-]{3,40}\r?\n(?:[^\r\n]{0,200}\r?\n){1,80}?Private-Lines: \d{1,3}\r?\n([A-Za-z0-9+/=]{4,80}(?:\r?\n[A-Za-z0-9+/=]{4,80}(?=\r?\n|$)){0,100})/,
    keywords: ['putty-user-key-file-'],
    multiline: true,
    entropy: 4,
    gitleaks: 'private-key',
    remediation: KEY_REMEDIATION,
    samplePath: 'keys/deploy.ppk',
    positives: [
      `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI${sample('ppk-pub', 40, B64)}\n${sample('ppk-pub2', 20, B64)}\nPrivate-Lines: 1\nAAAAI${sample('ppk-priv', 40, B64)}\nPrivate-MAC: ${sample('ppk-mac', 64, '0123456789abcdef')}\n`,
      `PuTTY-User-Key-File-2: ssh-rsa\r\nEncryption: none\r\nComment: rsa-key-20240101\r\nPublic-Lines: 1\r\nAAAAB3NzaC1yc2EAAAABJQAAAQEA${sample('ppk2-pub', 50, B64)}\r\nPrivate-Lines: 2\r\nAAABAQ${sample('ppk2-priv', 58, B64)}\r\n${sample('ppk2-priv2', 64, B64)}\r\nPrivate-MAC: ${sample('ppk2-mac', 40, '0123456789abcdef')}\r\n`,
    ],
    negatives: ['PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nXXXXXXXXXXXXXXXXXXXXXXXX\n', 'Save as PuTTY-User-Key-File-3 format'],
  }),
];
