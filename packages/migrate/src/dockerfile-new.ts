/**
 * Idiomatic Dockerfiles for services that have none: multi-stage, pinned bases, non-root, HEALTHCHECK,
 * exec-form CMD. Entry points are inferred from the audit and the manifests; guesses become TODOs.
 */
import { healthcheckFor } from './dockerfile.js';
import { RUN_AS_USER } from './chart.js';
import type { AppModel } from './model.js';
import { joinPath } from './model.js';

export type ReadFile = (path: string) => string | null;

export interface NewDockerfile {
  dockerfile: string;
  notes: string[];
}

const USER_DEBIAN = [
  `RUN groupadd --system --gid ${RUN_AS_USER} app \\`,
  `    && useradd --system --uid ${RUN_AS_USER} --gid app --no-create-home --shell /usr/sbin/nologin app`,
  `USER ${RUN_AS_USER}:${RUN_AS_USER}`,
];

function exec(args: string[]): string {
  return JSON.stringify(args).replaceAll('","', '", "');
}

function tail(app: AppModel, cmd: string[], opts: { userLines?: string[]; healthcheck?: boolean } = {}): string[] {
  const lines = [...(opts.userLines ?? USER_DEBIAN)];
  if (app.ports.length > 0) lines.push(`EXPOSE ${app.ports.join(' ')}`);
  if (opts.healthcheck !== false) {
    const hc = healthcheckFor(app.runtime, app.ports, app.healthPath);
    if (hc) lines.push(hc);
  }
  lines.push(`CMD ${exec(cmd)}`);
  return lines;
}

function node(app: AppModel, read: ReadFile, notes: string[]): string[] {
  const hasLock = read(joinPath(app.context, 'package-lock.json')) !== null;
  let entry = app.entrypoint ?? 'index.js';
  try {
    const pkg = JSON.parse(read(joinPath(app.context, 'package.json')) ?? '{}') as { main?: string };
    if (!app.entrypoint && typeof pkg.main === 'string') entry = pkg.main;
  } catch {
    notes.push('package.json did not parse; check the Dockerfile entry point');
  }
  if (!hasLock) notes.push(`commit a package-lock.json for ${app.name}; the generated Dockerfile falls back to npm install`);
  const install = hasLock ? 'RUN npm ci --omit=dev' : 'RUN npm install --omit=dev --no-audit --no-fund';
  return [
    'FROM node:20-bookworm-slim AS deps',
    'WORKDIR /app',
    hasLock ? 'COPY package.json package-lock.json ./' : 'COPY package.json ./',
    install,
    '',
    'FROM node:20-bookworm-slim',
    'ENV NODE_ENV=production',
    'WORKDIR /app',
    'COPY --from=deps /app/node_modules ./node_modules',
    'COPY . .',
    ...tail(app, ['node', entry]),
  ];
}

function python(app: AppModel, read: ReadFile, notes: string[]): string[] {
  const hasReq = read(joinPath(app.context, 'requirements.txt')) !== null;
  const hasPyproject = read(joinPath(app.context, 'pyproject.toml')) !== null;
  const install = hasReq
    ? ['COPY requirements.txt ./', 'RUN pip install --no-cache-dir -r requirements.txt']
    : hasPyproject
      ? ['COPY . .', 'RUN pip install --no-cache-dir .']
      : ['RUN true # no requirements.txt or pyproject.toml found'];
  if (!hasReq && !hasPyproject) notes.push(`${app.name}: no requirements.txt or pyproject.toml; add one so the image installs dependencies`);
  const entry = app.entrypoint ?? 'app.py';
  if (!app.entrypoint) notes.push(`${app.name}: entry point assumed to be app.py; for production prefer gunicorn/uvicorn`);
  return [
    'FROM python:3.12-slim AS build',
    'ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1',
    'RUN python -m venv /opt/venv',
    'ENV PATH=/opt/venv/bin:$PATH',
    'WORKDIR /app',
    ...install,
    '',
    'FROM python:3.12-slim',
    'ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1',
    'WORKDIR /app',
    'COPY --from=build /opt/venv /opt/venv',
    'COPY . .',
    ...tail(app, ['python', entry]),
  ];
}

function go(app: AppModel): string[] {
  return [
    'FROM golang:1.22-bookworm AS build',
    'WORKDIR /src',
    'COPY go.mod go.sum* ./',
    'RUN go mod download',
    'COPY . .',
    'RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .',
    '',
    '# Distroless: no shell, so no HEALTHCHECK; the Helm chart probes cover Kubernetes.',
    'FROM gcr.io/distroless/static-debian12:nonroot',
    'COPY --from=build /out/app /app',
    ...tail(app, ['/app'], { userLines: [`USER ${RUN_AS_USER}:${RUN_AS_USER}`], healthcheck: false }),
  ];
}

function rust(app: AppModel): string[] {
  return [
    'FROM rust:1.80-slim-bookworm AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN cargo build --release --locked && cp "$(find target/release -maxdepth 1 -type f -perm -111 | head -n 1)" /app',
    '',
    '# Distroless: no shell, so no HEALTHCHECK; the Helm chart probes cover Kubernetes.',
    'FROM gcr.io/distroless/cc-debian12:nonroot',
    'COPY --from=build /app /app',
    ...tail(app, ['/app'], { userLines: [`USER ${RUN_AS_USER}:${RUN_AS_USER}`], healthcheck: false }),
  ];
}

function java(app: AppModel, read: ReadFile): string[] {
  const gradle = read(joinPath(app.context, 'build.gradle')) !== null || read(joinPath(app.context, 'build.gradle.kts')) !== null;
  const build = gradle
    ? ['FROM gradle:8.10-jdk21 AS build', 'WORKDIR /src', 'COPY . .', 'RUN gradle --no-daemon bootJar || gradle --no-daemon build -x test', 'RUN cp "$(ls build/libs/*.jar | grep -v plain | head -n 1)" /app.jar']
    : ['FROM maven:3.9-eclipse-temurin-21 AS build', 'WORKDIR /src', 'COPY pom.xml ./', 'RUN mvn -B -q dependency:go-offline', 'COPY . .', 'RUN mvn -B -q package -DskipTests && cp target/*.jar /app.jar'];
  return [
    ...build,
    '',
    'FROM eclipse-temurin:21-jre',
    'WORKDIR /app',
    'COPY --from=build /app.jar /app/app.jar',
    ...tail(app, ['java', '-XX:MaxRAMPercentage=75', '-jar', '/app/app.jar']),
  ];
}

function ruby(app: AppModel): string[] {
  const rails = app.frameworks.some((f) => /rails/i.test(f));
  return [
    'FROM ruby:3.3-slim AS build',
    'WORKDIR /app',
    'RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*',
    'COPY Gemfile Gemfile.lock ./',
    'RUN bundle config set --local deployment true && bundle config set --local without "development test" && bundle install',
    '',
    'FROM ruby:3.3-slim',
    'WORKDIR /app',
    'COPY --from=build /usr/local/bundle /usr/local/bundle',
    'COPY --from=build /app/vendor /app/vendor',
    'COPY . .',
    ...tail(app, rails ? ['bundle', 'exec', 'rails', 'server', '-b', '0.0.0.0', '-p', String(app.ports[0] ?? 3000)] : ['bundle', 'exec', 'rackup', '--host', '0.0.0.0', '-p', String(app.ports[0] ?? 9292)]),
  ];
}

function php(app: AppModel, notes: string[]): string[] {
  const port = app.ports[0] ?? 8080;
  notes.push(`${app.name}: PHP image serves with Apache on port ${port}; writable paths (sessions, cache) need emptyDir volumes`);
  return [
    'FROM composer:2.7 AS deps',
    'WORKDIR /app',
    'COPY composer.json composer.lock* ./',
    'RUN composer install --no-dev --no-interaction --no-scripts --prefer-dist',
    '',
    'FROM php:8.3-apache',
    `RUN sed -ri 's/Listen 80$/Listen ${port}/' /etc/apache2/ports.conf \\`,
    `    && sed -ri 's/<VirtualHost \\*:80>/<VirtualHost *:${port}>/' /etc/apache2/sites-available/000-default.conf`,
    'WORKDIR /var/www/html',
    'COPY --from=deps /app/vendor ./vendor',
    'COPY . .',
    ...tail(app, ['apache2-foreground']),
  ];
}

function dotnet(app: AppModel): string[] {
  const port = app.ports[0] ?? 8080;
  return [
    'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN dotnet publish -c Release -o /out',
    '',
    'FROM mcr.microsoft.com/dotnet/aspnet:8.0',
    `ENV ASPNETCORE_HTTP_PORTS=${port} DOTNET_RUNNING_IN_CONTAINER=true`,
    'WORKDIR /app',
    'COPY --from=build /out .',
    ...tail(app, ['dotnet', `${app.entrypoint ?? app.name}.dll`]),
  ];
}

/** A new Dockerfile for `app`, or null for runtimes we do not know how to build. */
export function newDockerfile(app: AppModel, read: ReadFile): NewDockerfile | null {
  const notes: string[] = [];
  let body: string[];
  switch (app.runtime) {
    case 'node':
      body = node(app, read, notes);
      break;
    case 'python':
      body = python(app, read, notes);
      break;
    case 'go':
      body = go(app);
      break;
    case 'rust':
      body = rust(app);
      break;
    case 'java':
      body = java(app, read);
      break;
    case 'ruby':
      body = ruby(app);
      break;
    case 'php':
      body = php(app, notes);
      break;
    case 'dotnet':
      body = dotnet(app);
      if (!app.entrypoint) notes.push(`${app.name}: check the published dll name in the Dockerfile CMD`);
      break;
    default:
      return null;
  }
  const header = [`# ${app.name}: generated by LinkOps migrate (multi-stage, pinned bases, non-root user ${RUN_AS_USER}).`];
  return { dockerfile: [...header, ...body].join('\n') + '\n', notes };
}

const IGNORE_COMMON = ['.git', '.github', '.env', '.env.*', '*.env', '*.pem', '*.key', 'Dockerfile*', '.dockerignore', 'docker-compose*.yml', 'compose*.yaml', '**/*.log'];
const IGNORE_BY_RUNTIME: Record<string, string[]> = {
  node: ['node_modules', 'npm-debug.log*', 'coverage'],
  python: ['__pycache__', '*.pyc', '.venv', 'venv', '.pytest_cache', '.mypy_cache'],
  go: ['vendor/', 'bin/'],
  rust: ['target/'],
  java: ['target/', 'build/', '.gradle/'],
  ruby: ['vendor/bundle', 'log/', 'tmp/'],
  php: ['vendor/'],
  dotnet: ['bin/', 'obj/'],
};

/** .dockerignore keeping secrets (.env), VCS data and build output out of the build context. */
export function dockerignore(runtime: string | null): string {
  const lines = ['# Generated by LinkOps migrate: keep secrets and build output out of the image.', ...IGNORE_COMMON, ...(IGNORE_BY_RUNTIME[runtime ?? ''] ?? [])];
  return lines.join('\n') + '\n';
}
