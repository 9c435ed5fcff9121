import type { SecretRule } from '../types.js';
import { ALNUM, B64, B64URL, inSyntaxes, placeholderNegatives, rule, sample } from './helpers.js';
import { DEFAULT_PASSWORDS } from '../placeholders.js';

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"svc-billing","role":"service_role","iat":1716239022,"n":"${sample('jwt-n', 12, ALNUM)}"}`)}.${sample('jwt-sig', 43, B64URL)}`;
const dbPassword = sample('dbpw', 14, ALNUM) + '!9';

/** Defaults like postgres:postgres in a dev compose file are not leaks worth a finding. */
const defaultPassword = new RegExp(`^(?:${[...DEFAULT_PASSWORDS].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`, 'i');

/** user:password@host for a URL scheme; user excludes ':' and '@', password excludes '@', so no backtracking blow-up. */
function urlWithPassword(schemes: string): RegExp {
  return new RegExp(`(?<![\\w+.-])(?:${schemes})://[^:@/\\s'"\`<>]{0,100}:([^@/\\s'"\`<>]{3,200})@[\\w.-]{1,253}`, 'i');
}

function connRule(id: string, description: string, schemes: string, keywords: string[], samples: string[], gitleaks?: string): SecretRule {
  return rule({
    id,
    description,
    severity: 'critical',
    regex: urlWithPassword(schemes),
    keywords,
    entropy: 2.5,
    allowlist: { regexes: [defaultPassword], stopwords: ['password', 'passwd', 'secret'] },
    gitleaks,
    secretlint: '@secretlint/secretlint-rule-database-connection-string',
    positives: samples.flatMap((s, i) => (i === 0 ? inSyntaxes('DATABASE_URL', s) : [s])),
    negatives: [
      ...placeholderNegatives('DATABASE_URL'),
      ...samples.slice(0, 1).map((s) => s.replace(dbPassword, '${DB_PASSWORD}')),
      ...samples.slice(0, 1).map((s) => s.replace(dbPassword, 'postgres')),
      ...samples.slice(0, 1).map((s) => s.replace(`:${dbPassword}@`, '@')),
    ],
  });
}

export const connectionRules: SecretRule[] = [
  connRule('postgres-connection-string', 'PostgreSQL connection string with password', 'postgres(?:ql)?(?:\\+\\w{1,20})?|pgsql', ['postgres', 'pgsql'], [
    `postgres://app:${dbPassword}@db.internal:5432/app?sslmode=require`,
    `SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://svc_billing:${dbPassword}@10.0.3.17/billing"`,
  ]),
  connRule('mysql-connection-string', 'MySQL / MariaDB connection string with password', 'mysql(?:\\+\\w{1,20})?|mysqlx|mariadb', ['mysql', 'mariadb'], [
    `mysql://wordpress:${dbPassword}@mysql.prod:3306/wp`,
    `engine = create_engine("mysql+pymysql://app:${dbPassword}@127.0.0.1/shop")`,
  ]),
  connRule('mongodb-connection-string', 'MongoDB connection string with password', 'mongodb(?:\\+srv)?', ['mongodb'], [
    `mongodb+srv://appUser:${dbPassword}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true&w=majority`,
    `  uri: mongodb://root:${dbPassword}@mongo-0.mongo:27017,mongo-1.mongo:27017/?replicaSet=rs0`,
  ], 'mongodb-connection-string'),
  connRule('redis-connection-string', 'Redis connection string with password', 'rediss?', ['redis'], [
    `redis://default:${dbPassword}@redis-12345.c1.eu-west-1.ec2.cloud.redislabs.com:12345`,
    `REDIS_URL=rediss://:${dbPassword}@cache.internal:6380/0`,
  ]),
  connRule('amqp-connection-string', 'AMQP (RabbitMQ) connection string with password', 'amqps?', ['amqp'], [
    `amqp://orders:${dbPassword}@rabbitmq.prod:5672/%2F`,
    `broker_url = 'amqps://svc:${dbPassword}@b-1234.mq.us-east-1.amazonaws.com:5671'`,
  ]),
  connRule('mssql-connection-string', 'SQL Server / JDBC-style URL with password', 'mssql|sqlserver|oracle|db2|cockroachdb|clickhouse|cassandra|neo4j(?:\\+s)?|bolt', ['mssql', 'sqlserver', 'oracle', 'db2', 'cockroachdb', 'clickhouse', 'cassandra', 'neo4j', 'bolt'], [
    `mssql://sa_app:${dbPassword}@sql.prod:1433/orders`,
    `NEO4J_URI=neo4j+s://neo4j:${dbPassword}@a1b2c3d4.databases.neo4j.io`,
  ]),
  connRule('message-broker-connection-string', 'Message broker / queue URL with password (Kafka, NATS, MQTT, Celery)', 'kafka|nats|mqtts?|celery|sqla|stomp', ['kafka', 'nats', 'mqtt', 'celery', 'stomp'], [
    `nats://ops:${dbPassword}@nats.prod:4222`,
    `MQTT_BROKER=mqtts://device:${dbPassword}@broker.hivemq.cloud:8883`,
  ]),
  rule({
    id: 'ado-net-connection-string',
    description: 'ADO.NET / ODBC connection string with password',
    severity: 'critical',
    regex: /(?:Server|Data Source|Host|Address)=[^;'"\n]{1,200};[^'"\n]{0,300}?(?:Password|Pwd)=([^;'"\n]{3,200})/i,
    keywords: ['password=', 'pwd='],
    entropy: 2.5,
    allowlist: { regexes: [defaultPassword] },
    positives: inSyntaxes('ConnectionStrings__Default', `Server=tcp:acme.database.windows.net,1433;Initial Catalog=orders;User ID=app;Password=${dbPassword};Encrypt=True;`),
    negatives: ['ConnectionStrings__Default=Server=localhost;Database=dev;User Id=sa;Password=${SA_PASSWORD};', 'Server=.;Database=x;Trusted_Connection=True;', 'Server=db;Uid=root;Pwd=root;'],
  }),
  rule({
    id: 'jdbc-connection-string',
    description: 'JDBC URL with password parameter',
    severity: 'critical',
    regex: /jdbc:[a-z0-9]{2,20}:[^\s'"]{0,300}?[?&;]password=([^&;\s'"]{3,200})/i,
    keywords: ['jdbc:'],
    entropy: 2.5,
    allowlist: { regexes: [defaultPassword] },
    positives: inSyntaxes('SPRING_DATASOURCE_URL', `jdbc:postgresql://db.prod:5432/app?user=app&password=${dbPassword}&ssl=true`),
    negatives: ['SPRING_DATASOURCE_URL=jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}', 'url: jdbc:h2:mem:test;password=test'],
  }),
  rule({
    id: 'credentials-in-url',
    description: 'Credentials embedded in a URL',
    severity: 'high',
    regex: urlWithPassword('https?|ftps?|sftp|ssh|git|smtps?|imaps?|ldaps?|svn|webdav|wss?|s3|socks5h?'),
    keywords: ['://'],
    entropy: 3,
    allowlist: { regexes: [defaultPassword, /^\d{1,5}$/] },
    secretlint: '@secretlint/secretlint-rule-basicauth',
    gitleaks: 'generic-api-key',
    positives: [
      ...inSyntaxes('REGISTRY_URL', `https://deploy:${dbPassword}@registry.acme.io/v2/`),
      `git clone https://x-access-token:${sample('url-token', 32, ALNUM)}@git.acme.io/platform/infra.git`,
      `SMTP_URL=smtp://mailer:${dbPassword}@smtp.sendgrid.net:587`,
    ],
    negatives: [
      ...placeholderNegatives('REGISTRY_URL'),
      'REGISTRY_URL=https://user:${TOKEN}@registry.acme.io',
      'see https://user:password@host for the format',
      'proxy: http://localhost:3128',
      'url = "https://github.com:443/acme"',
    ],
  }),
];

export const jwtRules: SecretRule[] = [
  rule({
    id: 'jwt',
    description: 'JSON Web Token',
    severity: 'medium',
    regex: /(?<![\w-])(eyJ[A-Za-z0-9_-]{10,2000}\.eyJ[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{20,1000})(?![\w-])/,
    keywords: ['eyj'],
    entropy: 3.5,
    gitleaks: 'jwt',
    remediation: 'Revoke the token (rotate the signing key if it is long-lived or a service-role token), remove it from the code, and fetch tokens at runtime.',
    positives: inSyntaxes('SUPABASE_SERVICE_ROLE_KEY', jwt),
    negatives: [...placeholderNegatives('SUPABASE_SERVICE_ROLE_KEY'), 'token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"', 'AUTH=eyJhbGciOiJIUzI1NiJ9'],
  }),
];

const k8sValue = Buffer.from(sample('k8s-secret', 24, ALNUM)).toString('base64');

export const kubernetesRules: SecretRule[] = [
  rule({
    id: 'kubernetes-secret-data',
    description: 'Kubernetes Secret manifest with data values committed',
    severity: 'high',
    regex: /^[ \t]+["']?[\w.-]{1,100}["']?:[ \t]*["']?(?<secret>[A-Za-z0-9+/]{12}[A-Za-z0-9+/]*={0,2})["']?,?[ \t]*\r?$/,
    keywords: [],
    fileRequires: /^[ \t]*["']?kind["']?[ \t]*:[ \t]*["']?Secret\b/m,
    fileRequiresLiteral: 'Secret',
    entropy: 3.2,
    samplePath: 'k8s/secret.yaml',
    remediation: 'Do not commit Secret manifests with values: use Sealed Secrets, SOPS, External Secrets or the CSI secret store, and rotate the exposed values.',
    positives: [
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${k8sValue}\n`,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-keys\n  namespace: prod\ndata:\n  STRIPE_KEY: "${k8sValue}"\n  username: YWRtaW4=\n`,
      `{\n  "apiVersion": "v1",\n  "kind": "Secret",\n  "metadata": {"name": "db"},\n  "data": {\n    "password": "${k8sValue}"\n  }\n}`,
    ],
    negatives: [
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  password: ${k8sValue}\n`,
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: YWRtaW4=\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: production\ntype: Opaque\n',
    ],
  }),
];

/** Values in generic assignments that are never secrets: numbers, versions, booleans, words. */
const GENERIC_NOISE = [/^[\d.:_-]+$/, /^v?\d+\.\d+/, /^[^0-9]*$/, /^[a-z_]+\(/i];

export const genericRules: SecretRule[] = [
  rule({
    id: 'generic-password',
    description: 'Hard-coded password',
    severity: 'high',
    regex: /(?:password|passwd|passphrase|_pwd|db_pass|_pass)[\w.-]{0,25}["'\x60]?[ \t]{0,3}(?:=|:=|:|=>|\?=)[ \t]{0,3}(?:["'\x60](?<secret>[^"'\x60\s\\]{8,200})["'\x60]|(?<secret2>[^"'\x60\s\\#;,()[\]{}<>]{8,200}))(?=[\s,;)}\]#]|$)/i,
    keywords: ['password', 'passwd', 'passphrase', '_pwd', '_pass'],
    entropy: 3,
    generic: true,
    // A password that spells out "password" or "secret" is a docs or test sample ("Password123!").
    allowlist: { regexes: [/^[^0-9]*$/], stopwords: ['password', 'passwd', 'secret'] },
    gitleaks: 'generic-api-key',
    positives: [...inSyntaxes('DB_PASSWORD', dbPassword), 'spring.datasource.password=Tr0ub4dor&3xK9', `ADMIN_PASSWORD=${sample('admin-pw', 16, ALNUM)}`],
    negatives: [
      ...placeholderNegatives('DB_PASSWORD'),
      'DB_PASSWORD=postgres', 'password: ********', 'password = getPassword()', 'password=os.environ["DB_PASSWORD"]',
      'password_reset_url: /account/reset', 'if (password == confirmPassword) {', 'PASSWORD_MIN_LENGTH=12', 'password: !vault |',
      'password: "{{ vault_db_password }}"', 'password=config.database.password', 'PASSWORD=${{ secrets.DB_PASSWORD }}',
      'curl localhost:8080/auth?username=admin&password=Password123!', '{ port: 30001, password: "password-for-30001" },',
      "password: 'real-secret-6-levels'",
    ],
  }),
  rule({
    id: 'generic-api-key',
    description: 'Hard-coded secret, token or API key',
    severity: 'medium',
    regex: /(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|private[_.-]?key|client[_.-]?secret|credentials?|bearer)[\w.-]{0,25}["'\x60]?[ \t]{0,3}(?:=|:=|:|=>|\?=)[ \t]{0,3}(?:["'\x60](?<secret>[A-Za-z0-9+/=_.~!@#$%^&*-]{16,200})["'\x60]|(?<secret2>[A-Za-z0-9+/=_.~!@#$%^&*-]{16,200}))(?=[\s,;)}\]#]|$)/i,
    keywords: ['secret', 'token', 'api_key', 'api-key', 'api.key', 'apikey', 'access_key', 'accesskey', 'auth_key', 'authkey', 'private_key', 'privatekey', 'client_secret', 'credential', 'bearer'],
    entropy: 3.7,
    generic: true,
    allowlist: { regexes: GENERIC_NOISE },
    gitleaks: 'generic-api-key',
    positives: [...inSyntaxes('INTERNAL_API_KEY', sample('generic', 32, ALNUM)), `SESSION_SECRET=${sample('session', 48, B64)}`, `webhook_token: ${sample('wh', 24, ALNUM)}`],
    negatives: [
      ...placeholderNegatives('INTERNAL_API_KEY'),
      'token = lexer.nextToken();', 'const SECRET_NAME = "PROD_DB_CREDENTIALS";', 'api_key: ${API_KEY}', 'secretName: app-tls-certificate',
      'token_type: bearer_access_token', 'TOKEN_URL=https://auth.acme.io/oauth/token', 'secret: 0123456789012345',
      'privateKeyPath: ./certs/server.key', 'accessKey: AWS_ACCESS_KEY_ID_FROM_ENV',
      'TokenRequest.apiVersion="authentication.k8s.io/v1"', 'this.tokenizer.state = index_js_1.TokenizerMode.RAWTEXT;',
      'token.tagName = html_js_1.TAG_NAMES.TITLE;',
    ],
  }),
];
