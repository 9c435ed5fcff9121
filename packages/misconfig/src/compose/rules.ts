import type { Finding } from '@linkops/shared/contracts';
import type { Rule, RuleHit } from '../rule.js';
import { redact, sortFindings, toFinding } from '../rule.js';
import { isSecretName, PATTERNS } from '../patterns.js';
import { asArray, asRecord, isRecord, parseYamlDocuments, type YamlDoc, type YamlPath } from '../yaml.js';
import { parseImage } from '../kubernetes/model.js';

export interface ComposeService {
  name: string;
  spec: Record<string, unknown>;
}

export interface ComposeDocument {
  services: ComposeService[];
  lineAt(path: YamlPath): number;
}

export type ComposeRule = Rule<ComposeDocument>;

export function parseCompose(content: string): ComposeDocument | null {
  const doc: YamlDoc | undefined = parseYamlDocuments(content).docs[0];
  if (!doc || !isRecord(doc.value)) return null;
  const services = Object.entries(asRecord(doc.value.services)).filter(([, v]) => isRecord(v)).map(([name, spec]) => ({ name, spec: spec as Record<string, unknown> }));
  return { services, lineAt: (p) => doc.lineAt(p) };
}

/** Environment as [name, value, path-to-report], for both the map and the list ("K=V") syntax. */
function environment(s: ComposeService): Array<[string, string, YamlPath]> {
  const env = s.spec.environment;
  if (Array.isArray(env)) {
    return env.flatMap((e, i): Array<[string, string, YamlPath]> => {
      if (typeof e !== 'string' || !e.includes('=')) return [];
      const eq = e.indexOf('=');
      return [[e.slice(0, eq), e.slice(eq + 1), ['services', s.name, 'environment', i]]];
    });
  }
  return Object.entries(asRecord(env)).flatMap(([k, v]): Array<[string, string, YamlPath]> =>
    v === null || v === undefined || typeof v === 'object' ? [] : [[k, String(v), ['services', s.name, 'environment', k]]]);
}

interface PortMapping { hostIp: string | null; published: string | null; target: string; index: number }

/** Short ("[ip:]host:container") and long ({published, target, host_ip}) port syntaxes. */
function ports(s: ComposeService): PortMapping[] {
  return asArray(s.spec.ports).flatMap((p, index): PortMapping[] => {
    if (typeof p === 'number') return [{ hostIp: null, published: null, target: String(p), index }];
    if (typeof p === 'string') {
      const spec = p.split('/')[0] ?? p;
      // IPv6 host IPs are bracketed: [::1]:5432:5432.
      const bracket = spec.startsWith('[') ? spec.indexOf(']') : -1;
      const hostIp = bracket > 0 ? spec.slice(1, bracket) : null;
      const rest = bracket > 0 ? spec.slice(bracket + 2) : spec;
      const parts = rest.split(':');
      if (parts.length === 1) return [{ hostIp, published: null, target: parts[0]!, index }];
      if (parts.length === 2) return [{ hostIp, published: parts[0]!, target: parts[1]!, index }];
      return [{ hostIp: parts[0]!, published: parts[1]!, target: parts[2]!, index }];
    }
    const r = asRecord(p);
    return [{ hostIp: typeof r.host_ip === 'string' ? r.host_ip : null, published: r.published === undefined ? null : String(r.published), target: String(r.target ?? ''), index }];
  });
}

const DATABASE_PORTS = new Set(['5432', '3306', '6379', '27017', '9200', '9300', '11211', '5984', '7474', '7687', '9042', '1433', '1521', '26257', '8086', '9000', '5672']);

const svc = (doc: ComposeDocument, s: ComposeService, path: YamlPath, evidence: string, extra: Partial<RuleHit> = {}): RuleHit => ({
  line: doc.lineAt(['services', s.name, ...path]),
  evidence,
  key: `${s.name} ${evidence}`,
  ...extra,
});

const perService = (test: (doc: ComposeDocument, s: ComposeService) => RuleHit[]) => (doc: ComposeDocument) => doc.services.flatMap((s) => test(doc, s));

const HARDENED = 'services:\n  api:\n    image: example/api:1.4.2\n    restart: unless-stopped\n    read_only: true\n    ports: ["127.0.0.1:8080:8080"]\n    healthcheck:\n      test: ["CMD", "/app/healthcheck"]\n';

export const COMPOSE_RULES: ComposeRule[] = [
  {
    id: 'compose.privileged',
    category: 'compose',
    title: 'Privileged service',
    severity: 'critical',
    description: 'The service runs privileged: full access to host devices and every capability.',
    remediation: 'Remove `privileged: true`; add only the specific capabilities needed with cap_add.',
    references: ['CWE-250', 'trivy:KSV-0017'],
    check: perService((doc, s) => (s.spec.privileged === true ? [svc(doc, s, ['privileged'], `${s.name}: privileged: true`)] : [])),
    positives: ['services:\n  worker:\n    build: .\n    privileged: true\n'],
    negatives: [HARDENED],
  },
  {
    id: 'compose.host-network',
    category: 'compose',
    title: 'Service uses the host network',
    severity: 'high',
    description: 'network_mode: host removes network isolation: the service binds directly on the host’s interfaces.',
    remediation: 'Use the default bridge network (or a user-defined network) and publish only the needed ports.',
    references: ['CWE-668'],
    check: perService((doc, s) => (s.spec.network_mode === 'host' ? [svc(doc, s, ['network_mode'], `${s.name}: network_mode: host`)] : [])),
    positives: ['services:\n  a:\n    image: x:1\n    network_mode: host\n'],
    negatives: [HARDENED, 'services:\n  a:\n    image: x:1\n    network_mode: "service:b"\n'],
  },
  {
    id: 'compose.host-pid-ipc',
    category: 'compose',
    title: 'Service shares the host PID or IPC namespace',
    severity: 'high',
    description: 'pid: host / ipc: host lets the container see and signal host processes or shared memory.',
    remediation: 'Remove `pid: host` and `ipc: host`.',
    references: ['CWE-668'],
    check: perService((doc, s) => (['pid', 'ipc'] as const).filter((k) => s.spec[k] === 'host').map((k) => svc(doc, s, [k], `${s.name}: ${k}: host`))),
    positives: ['services:\n  a:\n    image: x:1\n    pid: host\n'],
    negatives: [HARDENED],
  },
  {
    id: 'compose.docker-socket',
    category: 'compose',
    title: 'Docker socket mounted',
    severity: 'critical',
    description: 'Mounting /var/run/docker.sock gives the container root-equivalent control of the host.',
    remediation: 'Do not mount the Docker socket; use a socket proxy with a read-only allow-list if an API is needed.',
    references: ['CWE-250', 'trivy:KSV-0006', 'checkov:CKV_K8S_27'],
    check: perService((doc, s) => asArray(s.spec.volumes).flatMap((v, i) => {
      const source = typeof v === 'string' ? v.split(':')[0] ?? '' : String(asRecord(v).source ?? '');
      return source.endsWith('docker.sock') ? [svc(doc, s, ['volumes', i], `${s.name}: ${source}`)] : [];
    })),
    positives: ['services:\n  a:\n    image: x:1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n', 'services:\n  a:\n    image: x:1\n    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n        target: /var/run/docker.sock\n'],
    negatives: [HARDENED, 'services:\n  a:\n    image: x:1\n    volumes: ["data:/var/lib/data"]\n'],
  },
  {
    id: 'compose.secret-in-environment',
    category: 'compose',
    title: 'Secret as a literal environment value',
    severity: 'high',
    description: 'A credential (secret-named variable or URL with a password) is written literally in the compose file.',
    remediation: 'Use `${VAR}` interpolation from an untracked .env file, or Compose secrets (`secrets:` with files).',
    references: ['CWE-798'],
    check: perService((doc, s) => environment(s).flatMap(([name, value, path]) => {
      if (value.length < 4 || value.startsWith('$')) return [];
      const secretish = isSecretName(name) || PATTERNS.urlWithCredentials.test(value);
      return secretish ? [{ line: doc.lineAt(path), evidence: `${name}: ${redact(value)}`, key: `${s.name} ${name}` }] : [];
    })),
    positives: ['services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: postgres://app:Sup3rS3cret@db:5432/app\n', 'services:\n  api:\n    image: x:1\n    environment:\n      - POSTGRES_PASSWORD=hunter2hunter2\n'],
    negatives: [HARDENED, 'services:\n  api:\n    image: x:1\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n      DATABASE_URL: postgres://db:5432/app\n'],
  },
  {
    id: 'compose.image-latest',
    category: 'compose',
    title: 'Image without tag or with latest',
    severity: 'medium',
    description: 'The service image uses `latest` or no tag, so `docker compose pull` can change what runs.',
    remediation: 'Pin the image to a version tag (postgres:16.4), ideally with a digest.',
    references: ['CWE-1357', 'hadolint:DL3007'],
    check: perService((doc, s) => {
      const image = s.spec.image;
      if (typeof image !== 'string' || image.includes('$')) return [];
      const { tag, digest } = parseImage(image);
      return !digest && (tag === null || tag === 'latest') ? [svc(doc, s, ['image'], `${s.name}: image ${image}`)] : [];
    }),
    positives: ['services:\n  db:\n    image: postgres\n', 'services:\n  db:\n    image: redis:latest\n'],
    negatives: [HARDENED, 'services:\n  api:\n    build: .\n', 'services:\n  db:\n    image: ${DB_IMAGE}\n'],
  },
  {
    id: 'compose.no-healthcheck',
    category: 'compose',
    title: 'Service without healthcheck',
    severity: 'low',
    description: 'Without a healthcheck, Compose cannot detect a hung service nor order startup with depends_on: service_healthy.',
    remediation: 'Add a `healthcheck:` (test, interval, timeout, retries) to the service or its image.',
    references: ['trivy:DS-0026', 'checkov:CKV_DOCKER_2'],
    check: perService((doc, s) => (s.spec.healthcheck === undefined ? [svc(doc, s, [], `${s.name}: no healthcheck`)] : [])),
    positives: ['services:\n  api:\n    image: x:1\n    restart: always\n'],
    negatives: [HARDENED],
  },
  {
    id: 'compose.database-port-exposed',
    category: 'compose',
    title: 'Database port published on all interfaces',
    severity: 'high',
    description: 'A database/cache port is published without a host IP, so it listens on every interface of the host (Docker bypasses host firewalls such as ufw).',
    remediation: 'Do not publish database ports; other services reach them on the Compose network. If needed locally, bind to 127.0.0.1 ("127.0.0.1:5432:5432").',
    references: ['CWE-668', 'CWE-1327'],
    check: perService((doc, s) => {
      const image = typeof s.spec.image === 'string' ? s.spec.image : '';
      const isDb = PATTERNS.databaseImage.test(image);
      // An app built from source that happens to listen on e.g. 9000 is not a database: the well-known
      // port list only applies to services run from an image.
      const builtHere = s.spec.build !== undefined;
      return ports(s)
        .filter((p) => p.published !== null && (p.hostIp === null || p.hostIp === '0.0.0.0' || p.hostIp === '::'))
        .filter((p) => isDb || (!builtHere && DATABASE_PORTS.has(p.target)))
        .map((p) => svc(doc, s, ['ports', p.index], `${s.name}: ports ${p.published}:${p.target}`));
    }),
    positives: ['services:\n  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n', 'services:\n  cache:\n    image: x:1\n    ports:\n      - "0.0.0.0:6379:6379"\n'],
    negatives: [HARDENED, 'services:\n  db:\n    image: postgres:16\n    ports: ["127.0.0.1:5432:5432"]\n', 'services:\n  db:\n    image: postgres:16\n    expose: ["5432"]\n', 'services:\n  api:\n    build: ./api\n    ports: ["9000:9000"]\n'],
  },
  {
    id: 'compose.no-restart-policy',
    category: 'compose',
    title: 'No restart policy',
    severity: 'low',
    description: 'The service has no restart policy: after a crash or host reboot it stays down.',
    remediation: 'Set `restart: unless-stopped` (or deploy.restart_policy in Swarm).',
    references: ['CWE-400'],
    check: perService((doc, s) => (s.spec.restart === undefined && asRecord(s.spec.deploy).restart_policy === undefined ? [svc(doc, s, [], `${s.name}: no restart policy`)] : [])),
    positives: ['services:\n  api:\n    image: x:1\n'],
    negatives: [HARDENED],
  },
  {
    id: 'compose.cap-add',
    category: 'compose',
    title: 'Capabilities added',
    severity: 'medium',
    description: 'cap_add grants extra Linux capabilities (e.g. SYS_ADMIN, NET_ADMIN) that widen the container’s reach into the host.',
    remediation: 'Remove cap_add, or keep only NET_BIND_SERVICE; prefer cap_drop: [ALL].',
    references: ['CWE-250', 'trivy:KSV-0022'],
    check: perService((doc, s) => {
      const caps = asArray(s.spec.cap_add).map(String).filter((c) => c.toUpperCase() !== 'NET_BIND_SERVICE');
      return caps.length ? [svc(doc, s, ['cap_add'], `${s.name}: cap_add ${caps.join(', ')}`)] : [];
    }),
    positives: ['services:\n  a:\n    image: x:1\n    cap_add: [SYS_ADMIN]\n'],
    negatives: [HARDENED, 'services:\n  a:\n    image: x:1\n    cap_add: [NET_BIND_SERVICE]\n'],
  },
  {
    id: 'compose.security-opt-unconfined',
    category: 'compose',
    title: 'seccomp or AppArmor disabled',
    severity: 'high',
    description: 'security_opt sets seccomp/apparmor to unconfined, removing kernel-level syscall filtering.',
    remediation: 'Remove the unconfined security_opt entries (use the default profiles).',
    references: ['CWE-693', 'trivy:KSV-0030'],
    check: perService((doc, s) => asArray(s.spec.security_opt).flatMap((o, i) => {
      const v = String(o).replace(/\s/g, '');
      return v === 'seccomp:unconfined' || v === 'seccomp=unconfined' || v === 'apparmor:unconfined' || v === 'apparmor=unconfined' ? [svc(doc, s, ['security_opt', i], `${s.name}: ${String(o)}`)] : [];
    })),
    positives: ['services:\n  a:\n    image: x:1\n    security_opt: ["seccomp:unconfined"]\n'],
    negatives: [HARDENED, 'services:\n  a:\n    image: x:1\n    security_opt: ["no-new-privileges:true"]\n'],
  },
];

/** Runs every Compose rule over one compose file. Pure: no I/O. */
export function checkCompose(content: string, path: string): Finding[] {
  const doc = parseCompose(content);
  if (!doc) return [];
  return sortFindings(COMPOSE_RULES.flatMap((rule) => rule.check(doc).map((hit) => toFinding(rule, path, hit))));
}
