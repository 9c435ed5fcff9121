import { describe, expect, it } from 'vitest';
import { check } from 'recheck';
import { SECRET_RULES } from '../src/rules/index.js';
import { SecretEngine } from '../src/engine.js';
import { scanText } from '../src/scan.js';

const SYNTAX_EDGE = /^[\s"'`,;:=]|[\s"'`,;:]$/;

describe('rule catalogue', () => {
  it('has at least 150 rules with unique ids and lowercase keywords', () => {
    expect(SECRET_RULES.length).toBeGreaterThanOrEqual(150);
    const ids = SECRET_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of SECRET_RULES) {
      for (const k of r.keywords) expect(k, r.id).toBe(k.toLowerCase());
      if (!r.fileRequires) expect(r.keywords.length, `${r.id} needs keywords`).toBeGreaterThan(0);
      expect(r.references, r.id).toContain('CWE-798');
    }
  });

  it('covers the required provider families', () => {
    const ids = new Set(SECRET_RULES.map((r) => r.id));
    for (const id of [
      'aws-access-key-id', 'aws-secret-access-key', 'aws-session-token', 'gcp-service-account-private-key', 'gcp-api-key',
      'azure-storage-account-key', 'azure-storage-connection-string', 'azure-ad-client-secret', 'github-pat',
      'github-fine-grained-pat', 'github-app-token', 'github-oauth-token', 'github-refresh-token', 'github-user-to-server-token',
      'gitlab-pat', 'gitlab-runner-auth-token', 'gitlab-deploy-token', 'bitbucket-app-password', 'slack-bot-token',
      'slack-user-token', 'slack-app-token', 'slack-webhook-url', 'discord-bot-token', 'discord-webhook-url',
      'telegram-bot-token', 'microsoft-teams-webhook', 'stripe-secret-key', 'stripe-restricted-key', 'stripe-webhook-secret',
      'square-access-token', 'braintree-access-token', 'twilio-api-key', 'sendgrid-api-key', 'mailgun-private-api-key',
      'mailchimp-api-key', 'postmark-server-token', 'npm-access-token', 'pypi-upload-token', 'rubygems-api-token',
      'nuget-api-key', 'dockerhub-pat', 'openai-project-key', 'anthropic-api-key', 'huggingface-access-token',
      'cohere-api-key', 'groq-api-key', 'datadog-api-key', 'newrelic-user-api-key', 'sentry-dsn', 'sentry-org-token',
      'grafana-cloud-api-token', 'grafana-service-account-token', 'honeycomb-api-key', 'atlassian-api-token', 'okta-api-token',
      'shopify-access-token', 'hubspot-private-app-token', 'notion-integration-token', 'notion-api-token', 'linear-api-key',
      'figma-pat', 'vercel-token', 'netlify-access-token', 'heroku-api-key', 'digitalocean-pat', 'cloudflare-api-token',
      'databricks-api-token', 'hashicorp-vault-service-token', 'terraform-cloud-api-token', 'onepassword-service-account-token',
      'private-key-rsa', 'private-key-ec', 'private-key-dsa', 'private-key-openssh', 'private-key-pgp', 'private-key-pkcs8',
      'private-key-encrypted-pkcs8', 'private-key-putty', 'jwt', 'postgres-connection-string', 'mysql-connection-string',
      'mongodb-connection-string', 'redis-connection-string', 'amqp-connection-string', 'credentials-in-url',
      'kubernetes-secret-data', 'generic-password', 'generic-api-key',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });
});

describe.each(SECRET_RULES.map((r) => [r.id, r] as const))('rule %s', (_id, rule) => {
  const engine = new SecretEngine([rule]);
  const path = rule.samplePath ?? 'config/sample.env';

  it('has test vectors', () => {
    expect(rule.positives.length).toBeGreaterThan(0);
    expect(rule.negatives.length).toBeGreaterThan(0);
  });

  it('matches and captures the secret in every positive', () => {
    for (const sample of rule.positives) {
      const matches = engine.scan(sample, path);
      expect(matches.length, `no match in: ${sample.slice(0, 120)}`).toBeGreaterThan(0);
      for (const m of matches) {
        expect(m.rule.id).toBe(rule.id);
        expect(m.secret.length).toBeGreaterThanOrEqual(8);
        expect(SYNTAX_EDGE.test(m.secret), `capture has syntax around it: ${m.secret.slice(0, 12)}`).toBe(false);
        expect(sample.slice(m.secretStart, m.secretEnd)).toBe(m.secret);
      }
      // The full rule set reports it too (nothing in the pipeline suppresses a true positive).
      expect(scanText(sample, path).length, `full engine missed: ${sample.slice(0, 80)}`).toBeGreaterThan(0);
    }
  });

  it('ignores every negative', () => {
    for (const sample of rule.negatives) {
      const matches = engine.scan(sample, path);
      expect(matches.map((m) => m.secret.slice(0, 4)), `false positive in: ${sample.slice(0, 120)}`).toEqual([]);
    }
  });

  it('regex is not ReDoS-vulnerable (recheck)', { timeout: 60_000 }, async () => {
    const flags = rule.regex.flags.replace(/[gyd]/g, '');
    // The automaton checker proves safety exactly and fast; the counts are raised so bounded repeats like {64}
    // are expanded instead of handed to the (slow, noisy) fuzzer.
    let result = await check(rule.regex.source, flags, { checker: 'automaton', maxRepeatCount: 5000, maxNFASize: 2_000_000, timeout: 8_000 });
    // Automaton gives up on some constructs (look-behind) or big NFAs: fall back to recheck's default hybrid mode.
    if (result.status === 'unknown') result = await check(rule.regex.source, flags, { timeout: 10_000 });
    // 'unknown' = recheck ran out of time without finding an attack; accepted (every loop here is unambiguous).
    expect(result.status, JSON.stringify(result).slice(0, 300)).not.toBe('vulnerable');
  });
});
