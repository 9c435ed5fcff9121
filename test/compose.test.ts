import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES } from '@linkops/shared';

interface ComposeService {
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  image?: string;
}
const load = (f: string) => parse(readFileSync(f, 'utf8')) as { services: Record<string, ComposeService> };

describe('compose files agree with the service registry', () => {
  const files = {
    'docker-compose.yml': { mode: 'all', names: SERVICES.map((s) => s.name) },
    'docker-compose.daytime.yml': { mode: 'daytime', names: ['whis_data_input', 'whis_sanitize', 'audit_assess', 'audit_migrate', 'whis_logic', 'whis_webscraper'] },
    'docker-compose.nighttime.yml': { mode: 'nighttime', names: ['whis_smithing', 'whis_enhance', 'whis_logic'] },
  } as const;

  for (const [file, want] of Object.entries(files)) {
    it(`${file}: services, ports, health checks, Redis URL and mode`, () => {
      const c = load(file);
      const names = Object.keys(c.services).filter((n) => n !== 'redis' && n !== 'prometheus');
      expect(names.sort()).toEqual([...want.names].sort());
      expect(c.services.redis?.image).toMatch(/^redis:\d/);
      for (const name of names) {
        const spec = SERVICES.find((s) => s.name === name)!;
        const svc = c.services[name]!;
        expect(svc.ports).toEqual([`${spec.port}:${spec.port}`]);
        expect(svc.environment?.PORT).toBe(String(spec.port));
        expect(svc.environment?.MODE).toBe(want.mode);
        expect(svc.environment?.REDIS_URL).toBe('redis://redis:6379');
        expect(svc.environment?.SERVICE).toBe(name);
        expect(svc.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${spec.port}/ready`);
        expect(Boolean(svc.volumes?.some((v) => v.endsWith(':/data')))).toBe(spec.needsData);
      }
    });
  }

  it('Prometheus scrapes every service at its port', () => {
    const prom = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    for (const s of SERVICES) {
      const job = prom.scrape_configs.find((j) => j.job_name === s.name);
      expect(job?.static_configs[0]?.targets).toEqual([`${s.name}:${s.port}`]);
    }
    expect(load('docker-compose.yml').services.prometheus).toBeTruthy();
  });

  it('the Dockerfile builds one non-root image with a pinned base and a health check', () => {
    const df = readFileSync('Dockerfile', 'utf8');
    const froms = [...df.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^node:\d+\.\d+\.\d+-/);
    const users = [...df.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(df).toMatch(/^HEALTHCHECK /m);
    expect(df).toMatch(/^ENTRYPOINT \[/m);
  });
});
