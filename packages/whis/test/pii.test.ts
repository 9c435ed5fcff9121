import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, redactAll, redactPII, secretsEngine } from '../src/index.js';

const types = (text: string): string[] => redactPII(text).redactions.map((r) => r.type);

describe('redactPII', () => {
  it('redacts each PII type with a typed placeholder and never records the value', () => {
    const input =
      'Mail jane.doe@acme.io or call +1 415-555-2671; host 203.0.113.7 and 2001:db8::8a2e:370:7334; ' +
      'card 4111 1111 1111 1111; IBAN DE89 3704 0044 0532 0130 00\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIaaaa\n-----END EC PRIVATE KEY-----';
    const result = redactPII(input);
    expect(result.text).toContain('[REDACTED:email]');
    expect(result.text).toContain('[REDACTED:phone]');
    expect(result.text).toContain('[REDACTED:ipv4]');
    expect(result.text).toContain('[REDACTED:ipv6]');
    expect(result.text).toContain('[REDACTED:credit-card]');
    expect(result.text).toContain('[REDACTED:iban]');
    expect(result.text).toContain('[REDACTED:private-key]');
    const serialized = JSON.stringify(result);
    for (const value of ['jane.doe', '555-2671', '203.0.113.7', '8a2e', '4111', 'DE89', 'MHcCAQEEIIaaaa']) {
      expect(serialized).not.toContain(value);
    }
    for (const r of result.redactions) expect(Object.keys(r).sort()).toEqual(['placeholder', 'type']);
  });

  it('Luhn: valid test cards pass, random 16-digit numbers mostly fail', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(types('order id 4111111111111112')).toEqual([]);
    expect(types('ref 1234567812345678')).toEqual([]);
    // A Luhn-valid number without a card issuer prefix is not a card.
    expect(luhnValid('0000000000000000')).toBe(true);
    expect(types('id 0000000000000000')).toEqual([]);
  });

  it('IBAN: mod-97 and country length decide', () => {
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(ibanValid('GB82 WEST 1234 5698 7654')).toBe(false);
    expect(types('send to GB82WEST12345698765433')).toEqual([]);
  });

  it('keeps versions, dates, ports, loopback and private CIDR blocks', () => {
    for (const text of [
      'upgrade helm to 3.14.2 and node to 20.11.1',
      'tag v1.2.3.4 was released on 2024-01-15',
      'listen on 0.0.0.0:8080 and curl 127.0.0.1:9090/metrics',
      'cidr_block = "10.0.0.0/16" and subnet 172.16.4.0/24',
      'docker run -p 8080:80 -p 5432:5432 postgres:16',
      'replicas: 3, timeout: 300, build 20240115',
      'bind to ::1 or ::',
    ]) {
      expect({ text, types: types(text) }).toEqual({ text, types: [] });
    }
  });

  it('redacts real hosts, including private ones and in host:port form', () => {
    expect(types('psql -h 10.0.3.17 -p 5432')).toEqual(['ipv4']);
    expect(types('ssh ubuntu@52.14.200.9')).toEqual(['ipv4']);
    expect(types('upstream 192.168.1.20:8080;')).toEqual(['ipv4']);
  });

  it('phones: international and national formats', () => {
    expect(types('call +44 20 7946 0958')).toEqual(['phone']);
    expect(types('call (415) 555-2671')).toEqual(['phone']);
    expect(types('office 020 7946 0958')).toEqual(['phone']);
  });

  it('keeps SSH git remotes but redacts the same address as an email elsewhere', () => {
    expect(types('git clone git@github.com:acme/api.git')).toEqual([]);
    expect(types('ask git@acme.io for access')).toEqual(['email']);
  });

  it('redacts a truncated private key block', () => {
    const result = redactPII('key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAMwAAAAtzc2gtZWQyNTUxOQ\n\nthen restart');
    expect(result.text).toBe('key:\n[REDACTED:private-key]\n\nthen restart');
  });
});

describe('redactAll', () => {
  it(`redacts secrets (engine: ${secretsEngine}) and PII together`, () => {
    const input =
      'Replace AKIAQX7ZD4K2M9PLN3TB and ghp_R7mK2xQ9vL4tN8pW3zY6bC1dF5gH0jS2aE4u in the CI secrets, mail ops@example.com, then run kubectl rollout restart deploy/api';
    const result = redactAll(input);
    const serialized = JSON.stringify(result);
    expect(serialized).not.toContain('AKIAQX7ZD4K2M9PLN3TB');
    expect(serialized).not.toContain('ghp_R7mK');
    expect(serialized).not.toContain('ops@example.com');
    expect(result.text).toContain('kubectl rollout restart deploy/api');
    expect(result.redactions.length).toBeGreaterThanOrEqual(3);
    expect(result.redactions.every((r) => result.text.includes(r.placeholder))).toBe(true);
  });

  it('leaves secret references (not values) alone', () => {
    const text = 'password: ${{ secrets.DB_PASSWORD }} and token $GITHUB_TOKEN';
    expect(redactAll(text).text).toBe(text);
  });
});
