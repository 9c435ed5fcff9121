import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReportSchema, startService, type AuditReport, type RunningService } from '@linkops/shared';
import { service } from '../../services/audit_assess/src/service.js';
import { PLANTED_SECRETS, makeRepo } from '../helpers/fixture-repo.js';
import { clearPrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/linkops-audit-page.png';

/** Waits for #progress to reach one of the states (a locator: a string predicate would need eval, which the CSP forbids). */
const progressState = (page: Page, states: string[], timeout: number) =>
  page.locator(states.map((s) => `#progress[data-state=${s}]`).join(', ')).waitFor({ timeout });

describe('audit web page in headless Chromium', () => {
  const prefix = uniquePrefix('page');
  let dataDir: string;
  let fixture: string;
  let svc: RunningService;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: the browser test needs it (apt-get install chromium; CI installs it)`);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'linkops-page-'));
    fixture = makeRepo();
    svc = (await startService(service, {
      port: 0,
      env: { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', AUDIT_ALLOW_LOCAL: '1', RATE_LIMIT_MAX: '100000' },
    })) as unknown as RunningService;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`http ${r.status()}: ${new URL(r.url()).pathname}`);
    });
    // Collect CSP violations and every progress text the page shows (init scripts run outside the page CSP).
    // Page-side code is given as strings: this project type-checks without the DOM library.
    await page.addInitScript(`
      window.__cspViolations = [];
      window.__progress = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
      document.addEventListener('DOMContentLoaded', () => {
        const el = document.getElementById('progress');
        if (!el) return;
        new MutationObserver(() => window.__progress.push((el.getAttribute('data-state') || '') + '|' + (el.textContent || '')))
          .observe(el, { childList: true, characterData: true, subtree: true, attributes: true });
      });
    `);
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await clearPrefix(prefix);
    for (const d of [dataDir, fixture]) if (d) rmSync(d, { recursive: true, force: true });
  });

  let report: AuditReport;

  // type=url would refuse a local path before submit: the page takes any text, the service validates it.
  it('serves the page under a strict CSP and audits the pasted repository path', { timeout: 90_000 }, async () => {
    const res = await page.goto(`${svc.url}/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(await page.locator('#results').isVisible()).toBe(false);

    await page.fill('#repo-url', fixture);
    await page.click('#audit-button');
    await progressState(page, ['done', 'failed'], 60_000);
    const progressText = await page.locator('#progress').textContent();
    expect(await page.locator('#progress').getAttribute('data-state'), progressText ?? '').toBe('done');
    const progress = await page.evaluate<string[]>('window.__progress');
    expect(progress.some((p) => p.startsWith('running|'))).toBe(true);
    expect(progress.at(-1)).toMatch(/^done\|Done: \d+ findings\.$/);
    expect(await page.locator('#audit-button').isDisabled()).toBe(false);

    // The report the page shows is the service's report.
    const scanHref = await page.locator('a[data-format=json]').getAttribute('href');
    expect(scanHref ?? '').toMatch(/\/scan\/scan_[a-z0-9]+\/report/);
    const scanId = /\/scan\/(scan_[a-z0-9]+)\/report/.exec(scanHref ?? '')![1];
    report = AuditReportSchema.parse(await (await fetch(`${svc.url}/scan/${scanId}/report`)).json());
    expect(report.repo_url).toBe(fixture);
  });

  it('shows the score, checks, services and findings', async () => {
    expect(await page.locator('#results').isVisible()).toBe(true);
    expect(await page.locator('#score').textContent()).toBe(String(report.score));
    expect(await page.locator('#checks tbody tr').count()).toBe(report.checks.length);
    expect(await page.locator('#checks tbody tr').first().textContent()).toContain(report.checks[0]!.id);
    const serviceNames = await page.locator('#services tbody tr td:first-child').allTextContents();
    expect(serviceNames.sort()).toEqual(report.services.map((s) => s.name).sort());
    expect(await page.locator('#findings tbody tr').count()).toBe(report.findings.length);
    const shown = await page.locator('body').textContent();
    for (const secret of PLANTED_SECRETS) expect(shown?.includes(secret), secret.slice(0, 4)).toBe(false);
  });

  it('filters findings by severity and scanner', async () => {
    const rows = page.locator('#findings tbody tr');
    const all = await rows.count();
    const critical = report.findings.filter((f) => f.severity === 'critical').length;
    await page.selectOption('#filter-severity', 'critical');
    expect(await rows.count()).toBe(critical);
    expect(critical).toBeLessThan(all);
    expect(new Set(await page.locator('#findings tbody tr td:first-child').allTextContents())).toEqual(new Set(['critical']));

    const scannerOptions = await Promise.all((await page.locator('#filter-scanner option').all()).map(async (o) => (await o.getAttribute('value')) ?? ''));
    expect(scannerOptions.filter(Boolean).sort()).toEqual([...new Set(report.findings.map((f) => f.scanner))].sort());
    await page.selectOption('#filter-scanner', 'secrets');
    const criticalSecrets = report.findings.filter((f) => f.severity === 'critical' && f.scanner === 'secrets').length;
    expect(await rows.count()).toBe(criticalSecrets);
    await page.selectOption('#filter-severity', '');
    expect(await rows.count()).toBe(report.findings.filter((f) => f.scanner === 'secrets').length);
    expect(new Set(await page.locator('#findings tbody tr td:nth-child(2)').allTextContents())).toEqual(new Set(['secrets']));
    await page.selectOption('#filter-scanner', '');
    expect(await rows.count()).toBe(all);
  });

  it('download links point to working report URLs', async () => {
    const expected: Record<string, RegExp> = { json: /application\/json/, sarif: /application\/sarif\+json/, markdown: /text\/markdown/ };
    for (const [format, type] of Object.entries(expected)) {
      const href = await page.locator(`a[data-format=${format}]`).getAttribute('href');
      expect(href).toBe(`/scan/${report.scan_id}/report?format=${format}`);
      const res = await page.request.get(new URL(href!, svc.url).href);
      expect(res.status(), format).toBe(200);
      expect(res.headers()['content-type']).toMatch(type);
      const body = await res.text();
      for (const secret of PLANTED_SECRETS) expect(body.includes(secret)).toBe(false);
      if (format !== 'markdown') expect(() => JSON.parse(body) as unknown).not.toThrow();
    }
  });

  it('shows a failed audit as failed', async () => {
    await page.fill('#repo-url', 'https://evil.example.com/a/b');
    await page.click('#audit-button');
    await progressState(page, ['failed'], 20_000);
    // The error envelope's message, not its JSON.
    expect(await page.locator('#progress').textContent()).toBe('Failed: body.repo_url: host "evil.example.com" is not in the allowed list');
    expect(await page.locator('#results').isVisible()).toBe(false);
    // The refused POST (400) is expected here, and the browser logs it: drop exactly those entries.
    const logged = problems.filter((p) => !/status of 400|^http 400: \/scan\/audit$/.test(p));
    problems.length = 0;
    problems.push(...logged);
  });

  it('ran with no console errors, page errors or CSP violations; screenshot taken', { timeout: 90_000 }, async () => {
    // Render the successful audit again for the screenshot.
    await page.fill('#repo-url', fixture);
    await page.click('#audit-button');
    await progressState(page, ['done'], 60_000);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(await page.evaluate<string[]>('window.__cspViolations')).toEqual([]);
    expect(problems).toEqual([]);
  });
});
