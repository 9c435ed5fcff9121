import type { QueueKey } from './queues.js';

export type Mode = 'all' | 'daytime' | 'nighttime';

export interface ServiceSpec {
  name: string;
  port: number;
  description: string;
  /** Queues this service consumes (it runs their workers and reports their metrics). */
  consumes: QueueKey[];
  /** Queues it produces into. */
  produces: QueueKey[];
  /** Compose/Helm modes the service runs in (MODE=all runs everything). */
  modes: Exclude<Mode, 'all'>[];
  /** Needs the shared data dir volume. */
  needsData: boolean;
  /** Mounts the queue UI (bull-board) for every queue and dead-letter queue at /admin/queues. */
  queueUi?: boolean;
}

/**
 * The fleet, declared once. Compose files, the Helm chart and the start script are checked against
 * this table by tests, so they cannot drift from the code.
 */
export const SERVICES: readonly ServiceSpec[] = [
  { name: 'whis_data_input', port: 8001, description: 'Receives task/solution pairs, validates, stores durably', consumes: [], produces: ['whisSanitize'], modes: ['daytime'], needsData: true },
  { name: 'whis_sanitize', port: 8002, description: 'Cleans, redacts secrets/PII, categorizes, de-duplicates', consumes: ['whisSanitize'], produces: ['whisSmith'], modes: ['daytime'], needsData: true },
  { name: 'audit_assess', port: 8003, description: 'Audits repositories: secrets, vulnerable dependencies, misconfigurations, GitOps score', consumes: ['auditScan'], produces: ['auditMigrate'], modes: ['daytime'], needsData: true },
  { name: 'audit_migrate', port: 8004, description: 'Turns an audit report into Helm charts, Dockerfile patches, GitOps layout, Argo CD manifests', consumes: ['auditMigrate'], produces: [], modes: ['daytime'], needsData: true },
  { name: 'whis_smithing', port: 8011, description: 'Turns sanitized knowledge into Orbs and Runes', consumes: ['whisSmith'], produces: ['whisEnhance'], modes: ['nighttime'], needsData: false },
  { name: 'whis_enhance', port: 8012, description: 'Lints, hardens and scores Orbs and Runes', consumes: ['whisEnhance'], produces: ['whisPublish'], modes: ['nighttime'], needsData: false },
  { name: 'whis_logic', port: 8013, description: 'Serves Orbs and Runes to agents, takes their feedback', consumes: ['whisPublish'], produces: ['whisSmith'], modes: ['daytime', 'nighttime'], needsData: true, queueUi: true },
  { name: 'whis_webscraper', port: 8014, description: 'Collects external docs as candidate knowledge', consumes: ['whisScrape'], produces: [], modes: ['daytime'], needsData: false },
];

export function serviceSpec(name: string): ServiceSpec {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown service ${name}`);
  return spec;
}
