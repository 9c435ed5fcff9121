import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SERVICES } from '@linkops/shared';
import { REPO_ROOT, ofKind, renderChart, setValue } from './chart.js';

/** The env every service needs from its runtime, whichever runtime that is. */
const SHARED_ENV = ['SERVICE', 'PORT', 'REDIS_URL', 'MODE', 'DATA_DIR'] as const;

interface ComposeService {
  environment?: Record<string, string>;
  ports?: string[];
}

describe('compose, the Helm chart and the service registry agree', () => {
  const compose = YAML.parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

  for (const mode of ['all', 'daytime', 'nighttime'] as const) {
    it(`mode=${mode}: same service names, ports and env names (${SHARED_ENV.join(', ')})`, () => {
      const chart = renderChart([setValue('mode', mode)]);
      type Dep = { metadata: { labels: Record<string, string> }; spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }>; ports: Array<{ containerPort: number }> }> } } } };
      const deployments = ofKind(chart, 'Deployment').map((o) => o.obj as unknown as Dep);
      const chartNames = deployments.map((d) => d.metadata.labels['linkops.io/service']!).sort();
      const composeNames = Object.keys(compose.services).filter((n) => n !== 'redis' && n !== 'prometheus').sort();
      const codeNames = SERVICES.map((s) => s.name).sort();
      expect(chartNames).toEqual(codeNames);
      expect(composeNames).toEqual(codeNames);

      for (const spec of SERVICES) {
        const dep = deployments.find((d) => d.metadata.labels['linkops.io/service'] === spec.name)!;
        const container = dep.spec.template.spec.containers[0]!;
        const chartEnv = new Map(container.env.map((e) => [e.name, e.value]));
        const composeEnv = compose.services[spec.name]!.environment ?? {};
        for (const name of SHARED_ENV) {
          expect(chartEnv.has(name), `chart ${spec.name} ${name}`).toBe(true);
          expect(name in composeEnv, `compose ${spec.name} ${name}`).toBe(true);
        }
        // Values that must be identical everywhere; REDIS_URL, MODE and DATA_DIR legitimately differ by runtime.
        expect(chartEnv.get('SERVICE')).toBe(spec.name);
        expect(composeEnv.SERVICE).toBe(spec.name);
        expect(chartEnv.get('PORT')).toBe(String(spec.port));
        expect(composeEnv.PORT).toBe(String(spec.port));
        expect(chartEnv.get('MODE')).toBe(mode);
        expect(chartEnv.get('DATA_DIR')).toBe(composeEnv.DATA_DIR);
        expect(container.ports.map((p) => p.containerPort)).toEqual([spec.port]);
        expect(compose.services[spec.name]!.ports).toEqual([`${spec.port}:${spec.port}`]);
        const svc = ofKind(chart, 'Service').find((o) => o.obj.metadata.labels?.['linkops.io/service'] === spec.name)!;
        expect((svc.obj as unknown as { spec: { ports: Array<{ port: number }> } }).spec.ports.map((p) => p.port)).toEqual([spec.port]);
      }
    });
  }

  it('the chart runs the same services per window as the compose window files', () => {
    for (const mode of ['daytime', 'nighttime'] as const) {
      const file = YAML.parse(readFileSync(join(REPO_ROOT, `docker-compose.${mode}.yml`), 'utf8')) as { services: Record<string, ComposeService> };
      const composeRunning = Object.keys(file.services).filter((n) => n !== 'redis' && n !== 'prometheus').sort();
      const chart = renderChart([setValue('mode', mode)]);
      const hpaTargets = new Set(ofKind(chart, 'HorizontalPodAutoscaler').map((o) => (o.obj as unknown as { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef.name));
      const chartRunning = ofKind(chart, 'Deployment')
        .filter((o) => {
          const replicas = (o.obj as unknown as { spec: { replicas?: number } }).spec.replicas;
          return replicas === undefined ? hpaTargets.has(o.obj.metadata.name) : replicas > 0;
        })
        .map((o) => o.obj.metadata.labels!['linkops.io/service']!)
        .sort();
      expect(chartRunning, mode).toEqual(composeRunning);
    }
  });
});
