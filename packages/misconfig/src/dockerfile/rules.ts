import type { Rule, RuleHit } from '../rule.js';
import { redact } from '../rule.js';
import { isSecretName, PATTERNS } from '../patterns.js';
import { baseName, findDownloadPipedToShell, programWords, splitShell, type ShellCommand } from '../shell.js';
import { stageChain, type DockerInstruction, type DockerStage, type ParsedDockerfile } from './parse.js';

export type DockerfileRule = Rule<ParsedDockerfile>;

/** A shell command of a RUN instruction with its absolute 1-based line. */
interface RunCommand {
  run: DockerInstruction;
  words: string[];
  line: number;
}

function runCommands(run: DockerInstruction): RunCommand[] {
  if (run.keyword !== 'RUN') return [];
  if (run.jsonArgs) return [{ run, words: programWords(run.jsonArgs), line: run.line }];
  // rawArgs excludes flags such as --mount=...: they belong to the instruction, not to the script.
  return splitShell(run.rawArgs).flat().map((c: ShellCommand) => ({ run, words: programWords(c.words), line: run.line + c.lineOffset }));
}

function allRunCommands(doc: ParsedDockerfile): RunCommand[] {
  return doc.instructions.flatMap(runCommands);
}

const isProgram = (words: string[], ...names: string[]) => words[0] !== undefined && names.includes(baseName(words[0]));

/** `apt-get install …` / `apt install …` (packages are the non-flag words after `install`). */
function aptInstall(words: string[]): string[] | null {
  if (!isProgram(words, 'apt-get', 'apt')) return null;
  const i = words.indexOf('install');
  if (i < 0) return null;
  return words.slice(i + 1);
}

function apkAdd(words: string[]): string[] | null {
  if (!isProgram(words, 'apk')) return null;
  const i = words.indexOf('add');
  return i < 0 ? null : words.slice(i + 1);
}

/** pip / pip3 / python -m pip install. */
function pipInstall(words: string[]): string[] | null {
  let w = words;
  if (isProgram(w, 'python', 'python3') && w[1] === '-m' && w[2] === 'pip') w = w.slice(2);
  if (!isProgram(w, 'pip', 'pip3')) return null;
  const i = w.indexOf('install');
  return i < 0 ? null : w.slice(i + 1);
}

function npmInstall(words: string[]): string[] | null {
  if (!isProgram(words, 'npm')) return null;
  const verb = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  if (verb < 0 || !['install', 'i', 'add', 'isntall'].includes(words[verb]!)) return null;
  return words.slice(verb + 1);
}

function gemInstall(words: string[]): string[] | null {
  if (!isProgram(words, 'gem')) return null;
  const i = words.indexOf('install');
  return i < 0 ? null : words.slice(i + 1);
}

/** Positional arguments, skipping flags and the values of flags that take one. */
function positionals(args: string[], flagsWithValue: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      if (flagsWithValue.includes(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

const hasVariable = (s: string) => s.includes('$');

function finalStageChain(doc: ParsedDockerfile): DockerInstruction[] {
  return doc.finalStage ? stageChain(doc, doc.finalStage) : [];
}

function keywordHits(instructions: DockerInstruction[], keyword: string): DockerInstruction[] {
  return instructions.filter((i) => i.keyword === keyword);
}

const hit = (i: DockerInstruction, extra: Partial<RuleHit> = {}): RuleHit => ({ line: i.line, endLine: i.endLine, evidence: `${i.keyword} ${i.args}`.trim(), ...extra });

/** Reasonable, current tags for the most common bases; migrate uses them when pinning. */
const SUGGESTED_BASE: Record<string, string> = {
  node: 'node:20-bookworm-slim',
  python: 'python:3.12-slim',
  golang: 'golang:1.22-bookworm',
  ubuntu: 'ubuntu:24.04',
  debian: 'debian:bookworm-slim',
  alpine: 'alpine:3.20',
  nginx: 'nginx:1.27-alpine',
  openjdk: 'eclipse-temurin:21-jre',
  'eclipse-temurin': 'eclipse-temurin:21-jre',
  ruby: 'ruby:3.3-slim',
  php: 'php:8.3-fpm',
  postgres: 'postgres:16',
  redis: 'redis:7',
};

function baseImageHits(doc: ParsedDockerfile, want: (s: DockerStage) => boolean): RuleHit[] {
  return doc.stages
    .filter((s) => !s.fromStage && !s.dynamic && s.digest === null && want(s))
    .map((s) => {
      const name = s.imageName ?? s.image;
      const short = name.split('/').pop() ?? name;
      return {
        line: s.fromLine,
        evidence: `FROM ${s.image}`,
        fix: { kind: 'dockerfile.pin-base', image: name, current: s.image, suggested: SUGGESTED_BASE[short] ?? null, line: s.fromLine },
      };
    });
}

const ROOT_USERS = new Set(['root', '0', 'root:root', '0:0', 'root:0', '0:root']);

const DEPENDENCY_INSTALL = [
  ['npm', 'ci'], ['npm', 'install'], ['npm', 'i'], ['yarn'], ['pnpm', 'install'], ['pip', 'install'], ['pip3', 'install'],
  ['poetry', 'install'], ['bundle', 'install'], ['go', 'mod'], ['go', 'build'], ['mvn'], ['gradle'], ['composer', 'install'], ['cargo', 'build'],
];

function isDependencyInstall(words: string[]): boolean {
  return DEPENDENCY_INSTALL.some(([prog, verb]) => isProgram(words, prog!) && (verb === undefined || words.includes(verb)));
}

/** COPY/ADD whose source is the whole build context. */
function copiesWholeContext(i: DockerInstruction): boolean {
  if (i.keyword !== 'COPY' && i.keyword !== 'ADD') return false;
  if (i.flags.some((f) => f.startsWith('--from'))) return false;
  const parts = i.jsonArgs ?? i.args.split(/\s+/).filter((w) => w && !w.startsWith('--'));
  const sources = parts.slice(0, -1);
  return sources.some((s) => s === '.' || s === './' || s === '*' || s === './*');
}

export const DOCKERFILE_RULES: DockerfileRule[] = [
  {
    id: 'dockerfile.base-image-latest',
    category: 'dockerfile',
    title: 'Base image uses the latest tag',
    severity: 'medium',
    description: 'FROM uses the mutable `latest` tag: builds are not reproducible and can silently pick up breaking or vulnerable changes.',
    remediation: 'Pin the base image to a specific version tag, ideally with its digest (image:tag@sha256:…).',
    references: ['CWE-1357', 'hadolint:DL3007', 'trivy:DS-0001', 'checkov:CKV_DOCKER_7'],
    fix: { kind: 'dockerfile.pin-base' },
    check: (doc) => baseImageHits(doc, (s) => s.tag === 'latest'),
    positives: ['FROM node:latest\nCMD ["node"]', 'FROM alpine AS base\nFROM docker.io/library/ubuntu:latest\n'],
    negatives: ['FROM node:20-slim', 'FROM builder:latest@sha256:' + 'a'.repeat(64), 'FROM node:20 AS latest\nFROM latest'],
  },
  {
    id: 'dockerfile.base-image-untagged',
    category: 'dockerfile',
    title: 'Base image has no tag',
    severity: 'medium',
    description: 'FROM names an image without a tag or digest, which means `latest`.',
    remediation: 'Pin the base image to a specific version tag, ideally with its digest.',
    references: ['CWE-1357', 'hadolint:DL3006', 'trivy:DS-0001', 'checkov:CKV_DOCKER_7'],
    fix: { kind: 'dockerfile.pin-base' },
    check: (doc) => baseImageHits(doc, (s) => s.tag === null),
    positives: ['FROM python\nRUN echo', 'FROM golang:1.22 AS build\nFROM gcr.io/distroless/static'],
    negatives: ['FROM python:3.12-slim', 'FROM scratch', 'FROM golang:1.22 AS build\nFROM build', 'ARG BASE=node:20\nFROM ${BASE}'],
  },
  {
    id: 'dockerfile.no-user',
    category: 'dockerfile',
    title: 'Image runs as root: no USER instruction',
    severity: 'medium',
    description: 'The final stage never sets USER, so the container runs as root (non-root USER missing).',
    remediation: 'Create an unprivileged user and switch to it with `USER 10001` before CMD/ENTRYPOINT.',
    references: ['CWE-250', 'trivy:DS-0002', 'checkov:CKV_DOCKER_3'],
    fix: { kind: 'dockerfile.user', user: '10001' },
    check: (doc) => {
      const stage = doc.finalStage;
      if (!stage || stage.image === 'scratch' || stage.image.endsWith(':nonroot') || stage.image.endsWith('-nonroot')) return [];
      return keywordHits(stageChain(doc, stage), 'USER').length === 0
        ? [{ line: stage.fromLine, evidence: `FROM ${stage.image}`, fix: { kind: 'dockerfile.user', user: '10001', after_line: stage.instructions[stage.instructions.length - 1]?.endLine ?? stage.fromLine } }]
        : [];
    },
    positives: ['FROM node:20\nCMD ["node"]', 'FROM node:20 AS b\nUSER node\nFROM alpine:3.20\nCMD ["sh"]'],
    negatives: ['FROM node:20\nUSER node\nCMD ["node"]', 'FROM alpine:3.20 AS b\nUSER 10001\nFROM b\nCMD ["x"]', 'FROM gcr.io/distroless/nodejs20-debian12:nonroot'],
  },
  {
    id: 'dockerfile.last-user-root',
    category: 'dockerfile',
    title: 'Last USER is root',
    severity: 'high',
    description: 'The final stage switches back to root with USER, so the container runs as root.',
    remediation: 'Keep root only for the steps that need it, then switch to an unprivileged user (`USER 10001`).',
    references: ['CWE-250', 'hadolint:DL3002', 'trivy:DS-0002', 'checkov:CKV_DOCKER_8'],
    fix: { kind: 'dockerfile.user', user: '10001' },
    check: (doc) => {
      const users = keywordHits(finalStageChain(doc), 'USER');
      const last = users[users.length - 1];
      return last && ROOT_USERS.has(last.args.trim().toLowerCase())
        ? [hit(last, { fix: { kind: 'dockerfile.user', user: '10001', replace_line: last.line } })]
        : [];
    },
    positives: ['FROM python:3.11\nUSER root\nCMD ["python"]', 'FROM alpine:3.20\nUSER app\nRUN id\nUSER 0\n'],
    negatives: ['FROM python:3.11\nUSER root\nRUN apt-get update\nUSER app', 'FROM alpine:3.20\nUSER root\nFROM alpine:3.20\nUSER 1000'],
  },
  {
    id: 'dockerfile.shell-form-cmd',
    category: 'dockerfile',
    title: 'CMD/ENTRYPOINT in shell form',
    severity: 'low',
    description: 'Shell-form CMD/ENTRYPOINT runs under /bin/sh -c: the process is not PID 1, does not receive SIGTERM and cannot shut down gracefully. Use the exec (JSON) form.',
    remediation: 'Use the exec form, e.g. CMD ["npm", "start"] (better: CMD ["node", "server.js"]).',
    references: ['hadolint:DL3025'],
    fix: { kind: 'dockerfile.exec-form' },
    check: (doc) => doc.instructions
      .filter((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && !i.jsonForm && i.args.trim() !== '')
      .map((i) => hit(i, { fix: { kind: 'dockerfile.exec-form', line: i.line, keyword: i.keyword, argv: i.args.trim().split(/\s+/) } })),
    positives: ['FROM node:20\nCMD npm start', 'FROM node:20\nENTRYPOINT node server.js'],
    negatives: ['FROM node:20\nCMD ["npm", "start"]', 'FROM node:20\nENTRYPOINT ["node"]\nCMD ["server.js"]'],
  },
  {
    id: 'dockerfile.add-instead-of-copy',
    category: 'dockerfile',
    title: 'ADD used instead of COPY',
    severity: 'low',
    description: 'ADD auto-extracts archives and fetches URLs; for local files and folders COPY is explicit and safer.',
    remediation: 'Replace ADD with COPY for local files; download remote files in a RUN step with checksum verification.',
    references: ['CWE-829', 'hadolint:DL3020', 'trivy:DS-0005', 'checkov:CKV_DOCKER_4'],
    fix: { kind: 'dockerfile.add-to-copy' },
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'ADD')
      .filter((i) => {
        const parts = i.jsonArgs ?? i.args.split(/\s+/).filter((w) => w && !w.startsWith('--'));
        const sources = parts.slice(0, -1);
        return sources.length > 0 && sources.every((s) => !PATTERNS.remoteSource.test(s) && !PATTERNS.archiveSource.test(s));
      })
      .map((i) => hit(i, { fix: { kind: 'dockerfile.add-to-copy', line: i.line } })),
    positives: ['FROM node:20\nADD . /app', 'FROM node:20\nADD --chown=node:node package.json /app/'],
    negatives: ['FROM node:20\nCOPY . /app', 'FROM node:20\nADD https://example.com/a.tgz /tmp/', 'FROM alpine:3.20\nADD rootfs.tar.gz /'],
  },
  {
    id: 'dockerfile.apt-unpinned',
    category: 'dockerfile',
    title: 'apt-get install without pinned versions',
    severity: 'low',
    description: 'Packages installed with apt-get are not pinned (pkg=version), so rebuilds install different versions.',
    remediation: 'Pin versions: `apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5`.',
    references: ['CWE-1357', 'hadolint:DL3008'],
    check: (doc) => allRunCommands(doc).flatMap((c) => {
      const args = aptInstall(c.words);
      if (!args) return [];
      const pkgs = positionals(args, ['-o', '-t', '--target-release']).filter((p) => !hasVariable(p) && !p.endsWith('.deb'));
      const unpinned = pkgs.filter((p) => !PATTERNS.aptPinned.test(p));
      return unpinned.length ? [{ line: c.line, evidence: c.words.join(' '), message: `Unpinned apt packages: ${unpinned.join(', ')}.` }] : [];
    }),
    positives: ['FROM debian:12\nRUN apt-get update && apt-get install -y curl'],
    negatives: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1 && rm -rf /var/lib/apt/lists/*'],
  },
  {
    id: 'dockerfile.apk-unpinned',
    category: 'dockerfile',
    title: 'apk add without pinned versions',
    severity: 'low',
    description: 'Packages installed with apk are not pinned (pkg=version).',
    remediation: 'Pin versions: `apk add --no-cache curl=8.9.1-r0`.',
    references: ['CWE-1357', 'hadolint:DL3018'],
    check: (doc) => allRunCommands(doc).flatMap((c) => {
      const args = apkAdd(c.words);
      if (!args) return [];
      const unpinned = positionals(args, ['-t', '--virtual', '-X', '--repository']).filter((p) => !hasVariable(p) && !PATTERNS.apkPinned.test(p));
      return unpinned.length ? [{ line: c.line, evidence: c.words.join(' '), message: `Unpinned apk packages: ${unpinned.join(', ')}.` }] : [];
    }),
    positives: ['FROM alpine:3.20\nRUN apk add --no-cache curl'],
    negatives: ['FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0', 'FROM alpine:3.20\nRUN apk update'],
  },
  {
    id: 'dockerfile.pip-unpinned',
    category: 'dockerfile',
    title: 'pip install without pinned versions',
    severity: 'low',
    description: 'Python packages installed by name without a version (pkg==1.2.3).',
    remediation: 'Pin versions (`pip install flask==3.0.3`) or install from a locked requirements file.',
    references: ['CWE-1357', 'hadolint:DL3013'],
    check: (doc) => allRunCommands(doc).flatMap((c) => {
      const args = pipInstall(c.words);
      if (!args) return [];
      const pkgs = positionals(args, ['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root', '-e', '--editable'])
        .filter((p) => !hasVariable(p) && !p.includes('/') && p !== '.' && !PATTERNS.archiveSource.test(p) && !p.startsWith('git+'))
        .filter((p) => !['pip', 'setuptools', 'wheel'].includes(p.toLowerCase()) || !args.includes('--upgrade'));
      const unpinned = pkgs.filter((p) => !PATTERNS.pipPinned.test(p));
      return unpinned.length ? [{ line: c.line, evidence: c.words.join(' '), message: `Unpinned pip packages: ${unpinned.join(', ')}.` }] : [];
    }),
    positives: ['FROM python:3.12\nRUN pip install --no-cache-dir flask requests==2.32.3'],
    negatives: ['FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt', 'FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.3 .'],
  },
  {
    id: 'dockerfile.npm-unpinned',
    category: 'dockerfile',
    title: 'npm install of a package without a version',
    severity: 'low',
    description: 'npm packages installed by name without a version (pkg@1.2.3).',
    remediation: 'Pin versions (`npm install -g pm2@5.4.2`) or declare them in package.json with a lockfile and use npm ci.',
    references: ['CWE-1357', 'hadolint:DL3016'],
    check: (doc) => allRunCommands(doc).flatMap((c) => {
      const args = npmInstall(c.words);
      if (!args) return [];
      const unpinned = positionals(args, ['--prefix', '--registry'])
        .filter((p) => !hasVariable(p) && !p.startsWith('.') && !p.startsWith('/') && !p.includes('://') && !p.startsWith('git') && !p.endsWith('.tgz'))
        .filter((p) => !PATTERNS.npmPinned.test(p));
      return unpinned.length ? [{ line: c.line, evidence: c.words.join(' '), message: `Unpinned npm packages: ${unpinned.join(', ')}.` }] : [];
    }),
    positives: ['FROM node:20\nRUN npm install -g pm2', 'FROM node:20\nRUN npm i @nestjs/cli'],
    negatives: ['FROM node:20\nRUN npm install -g pm2@5.4.2 @nestjs/cli@10.4.5', 'FROM node:20\nRUN npm install', 'FROM node:20\nRUN npm ci --omit=dev'],
  },
  {
    id: 'dockerfile.gem-unpinned',
    category: 'dockerfile',
    title: 'gem install without a version',
    severity: 'low',
    description: 'Ruby gems installed by name without a version.',
    remediation: 'Pin versions: `gem install bundler -v 2.5.16` or `gem install bundler:2.5.16`.',
    references: ['CWE-1357', 'hadolint:DL3028'],
    check: (doc) => allRunCommands(doc).flatMap((c) => {
      const args = gemInstall(c.words);
      if (!args || args.includes('-v') || args.includes('--version') || args.some((a) => a.startsWith('--version='))) return [];
      const unpinned = positionals(args, ['--source', '-s', '-i', '--install-dir']).filter((p) => !hasVariable(p) && !p.includes(':'));
      return unpinned.length ? [{ line: c.line, evidence: c.words.join(' ') }] : [];
    }),
    positives: ['FROM ruby:3.3\nRUN gem install bundler'],
    negatives: ['FROM ruby:3.3\nRUN gem install bundler -v 2.5.16', 'FROM ruby:3.3\nRUN gem install bundler:2.5.16'],
  },
  {
    id: 'dockerfile.apt-lists-not-removed',
    category: 'dockerfile',
    title: 'apt lists not removed after install',
    severity: 'low',
    description: 'apt-get install leaves /var/lib/apt/lists in the layer, bloating the image and carrying stale indexes.',
    remediation: 'End the same RUN with `&& rm -rf /var/lib/apt/lists/*` (or use a --mount=type=cache for /var/lib/apt).',
    references: ['hadolint:DL3009'],
    fix: { kind: 'dockerfile.apt-cleanup' },
    check: (doc) => finalStageChain(doc)
      .filter((i) => i.keyword === 'RUN' && !i.flags.some((f) => f.includes('/var/lib/apt')))
      .filter((i) => runCommands(i).some((c) => aptInstall(c.words) !== null))
      .filter((i) => !runCommands(i).some((c) => isProgram(c.words, 'rm') && c.words.some((w) => w.startsWith('/var/lib/apt/lists'))))
      .map((i) => hit(i, { fix: { kind: 'dockerfile.apt-cleanup', line: i.line, end_line: i.endLine } })),
    positives: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1'],
    negatives: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1 \\\n && rm -rf /var/lib/apt/lists/*', 'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /x /x'],
  },
  {
    id: 'dockerfile.apt-no-install-recommends',
    category: 'dockerfile',
    title: 'apt-get install without --no-install-recommends',
    severity: 'low',
    description: 'Recommended packages are installed too, enlarging the image and its attack surface.',
    remediation: 'Add `--no-install-recommends` to apt-get install.',
    references: ['hadolint:DL3015', 'trivy:DS-0029'],
    check: (doc) => allRunCommands(doc)
      .filter((c) => isProgram(c.words, 'apt-get') && aptInstall(c.words) !== null)
      .filter((c) => !c.words.includes('--no-install-recommends') && !c.words.some((w) => PATTERNS.aptRecommendsOff.test(w)))
      .map((c) => ({ line: c.line, evidence: c.words.join(' ') })),
    positives: ['FROM debian:12\nRUN apt-get install -y curl=7.88.1'],
    negatives: ['FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1'],
  },
  {
    id: 'dockerfile.apt-get-missing-yes',
    category: 'dockerfile',
    title: 'apt-get install without -y',
    severity: 'low',
    description: 'apt-get install without -y waits for confirmation, which fails or hangs a non-interactive build.',
    remediation: 'Add -y (or --yes / --assume-yes).',
    references: ['hadolint:DL3014', 'trivy:DS-0021'],
    check: (doc) => allRunCommands(doc)
      .filter((c) => isProgram(c.words, 'apt-get') && aptInstall(c.words) !== null)
      .filter((c) => !c.words.some((w) => w === '-y' || w === '--yes' || w === '--assume-yes' || w === '-qq' || (w.startsWith('-') && !w.startsWith('--') && w.includes('y'))))
      .map((c) => ({ line: c.line, evidence: c.words.join(' ') })),
    positives: ['FROM debian:12\nRUN apt-get install --no-install-recommends curl'],
    negatives: ['FROM debian:12\nRUN apt-get install -y curl', 'FROM debian:12\nRUN apt-get install -qy curl'],
  },
  {
    id: 'dockerfile.apt-update-alone',
    category: 'dockerfile',
    title: 'apt-get update in its own RUN',
    severity: 'medium',
    description: 'apt-get update in a RUN without an install is cached as its own layer, so later installs use stale indexes.',
    remediation: 'Combine update and install in one RUN: `apt-get update && apt-get install -y …`.',
    references: ['trivy:DS-0017', 'checkov:CKV_DOCKER_5'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'RUN')
      .filter((i) => {
        const cmds = runCommands(i);
        return cmds.some((c) => isProgram(c.words, 'apt-get', 'apt') && c.words.includes('update'))
          && !cmds.some((c) => aptInstall(c.words) !== null || (isProgram(c.words, 'apt-get', 'apt') && c.words.includes('upgrade')));
      })
      .map((i) => hit(i)),
    positives: ['FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl'],
    negatives: ['FROM debian:12\nRUN apt-get update && apt-get install -y curl'],
  },
  {
    id: 'dockerfile.apt-instead-of-apt-get',
    category: 'dockerfile',
    title: 'apt used in a script',
    severity: 'low',
    description: 'The `apt` front end has no stable CLI for scripts; use apt-get or apt-cache.',
    remediation: 'Replace `apt` with `apt-get`.',
    references: ['hadolint:DL3027', 'checkov:CKV_DOCKER_9'],
    check: (doc) => allRunCommands(doc).filter((c) => isProgram(c.words, 'apt')).map((c) => ({ line: c.line, evidence: c.words.join(' ') })),
    positives: ['FROM debian:12\nRUN apt install -y curl'],
    negatives: ['FROM debian:12\nRUN apt-get install -y curl'],
  },
  {
    id: 'dockerfile.apk-no-cache',
    category: 'dockerfile',
    title: 'apk add without --no-cache',
    severity: 'low',
    description: 'apk add keeps the package index in the image unless --no-cache is used.',
    remediation: 'Use `apk add --no-cache …`.',
    references: ['hadolint:DL3019', 'trivy:DS-0025'],
    check: (doc) => allRunCommands(doc)
      .filter((c) => apkAdd(c.words) !== null && !c.words.includes('--no-cache') && !c.run.flags.some((f) => f.includes('/var/cache/apk')))
      .map((c) => ({ line: c.line, evidence: c.words.join(' ') })),
    positives: ['FROM alpine:3.20\nRUN apk add curl=8.9.1-r0'],
    negatives: ['FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0', 'FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8.9.1-r0'],
  },
  {
    id: 'dockerfile.pip-no-cache-dir',
    category: 'dockerfile',
    title: 'pip install without --no-cache-dir',
    severity: 'low',
    description: 'pip keeps its download cache in the image layer.',
    remediation: 'Use `pip install --no-cache-dir …` or set ENV PIP_NO_CACHE_DIR=1.',
    references: ['hadolint:DL3042'],
    check: (doc) => {
      if (doc.instructions.some((i) => (i.keyword === 'ENV' || i.keyword === 'ARG') && i.properties.some((p) => p.name === 'PIP_NO_CACHE_DIR'))) return [];
      return allRunCommands(doc)
        .filter((c) => pipInstall(c.words) !== null && !c.words.includes('--no-cache-dir') && !c.run.flags.some((f) => f.includes('cache')))
        .map((c) => ({ line: c.line, evidence: c.words.join(' ') }));
    },
    positives: ['FROM python:3.12\nRUN pip install -r requirements.txt', 'FROM python:3.12\nRUN python -m pip install -r r.txt'],
    negatives: ['FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt', 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r r.txt'],
  },
  {
    id: 'dockerfile.npm-install-not-ci',
    category: 'dockerfile',
    title: 'npm install instead of npm ci',
    severity: 'low',
    description: '`npm install` may rewrite the lockfile and resolve newer versions; `npm ci` installs exactly what package-lock.json says.',
    remediation: 'Copy package.json and package-lock.json, then run `npm ci --omit=dev`.',
    references: ['CWE-1357'],
    fix: { kind: 'dockerfile.npm-ci' },
    check: (doc) => allRunCommands(doc).flatMap((c) => {
      const args = npmInstall(c.words);
      if (!args || positionals(args, ['--prefix', '--registry']).length > 0) return [];
      return [{ line: c.line, evidence: c.words.join(' '), fix: { kind: 'dockerfile.npm-ci', line: c.line } }];
    }),
    positives: ['FROM node:20\nRUN cd /app && npm install', 'FROM node:20\nRUN npm install --production'],
    negatives: ['FROM node:20\nRUN npm ci --omit=dev', 'FROM node:20\nRUN npm install -g pm2@5.4.2'],
  },
  {
    id: 'dockerfile.pipe-without-pipefail',
    category: 'dockerfile',
    title: 'RUN with a pipe but without pipefail',
    severity: 'low',
    description: 'In `a | b` only b’s exit status counts: a failing download piped into another command does not fail the build.',
    remediation: 'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN, or start the RUN with `set -o pipefail &&`.',
    references: ['hadolint:DL4006'],
    check: (doc) => doc.stages.flatMap((stage) => {
      let pipefail = false;
      const hits: RuleHit[] = [];
      for (const i of stage.instructions) {
        if (i.keyword === 'SHELL') pipefail = (i.jsonArgs ?? []).some((a) => a.includes('pipefail'));
        if (i.keyword !== 'RUN' || i.jsonForm || pipefail) continue;
        const pipelines = splitShell(i.rawArgs);
        const setsPipefail = pipelines.some((p) => p.some((c) => c.words[0] === 'set' && c.words.includes('pipefail')));
        if (!setsPipefail && pipelines.some((p) => p.length > 1)) hits.push(hit(i));
      }
      return hits;
    }),
    positives: ['FROM debian:12\nRUN curl -fsSL https://x.example/key | gpg --dearmor -o /k.gpg'],
    negatives: ['FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://x.example/key | gpg --dearmor -o /k.gpg', 'FROM debian:12\nRUN set -o pipefail && a | b', 'FROM debian:12\nRUN a || b'],
  },
  {
    id: 'dockerfile.sudo',
    category: 'dockerfile',
    title: 'sudo used in RUN',
    severity: 'medium',
    description: 'sudo in a build has unpredictable TTY and signal behaviour, and its presence usually means the image keeps a privilege-escalation path.',
    remediation: 'Run the step as root (USER root … then back to an unprivileged user) or use gosu in entrypoints.',
    references: ['CWE-250', 'hadolint:DL3004', 'trivy:DS-0010', 'checkov:CKV2_DOCKER_1'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'RUN' && splitShell(i.rawArgs).flat().some((c) => c.words[0] === 'sudo'))
      .map((i) => hit(i)),
    positives: ['FROM ubuntu:24.04\nRUN sudo apt-get update'],
    negatives: ['FROM ubuntu:24.04\nRUN apt-get install -y sudo-ldap'],
  },
  {
    id: 'dockerfile.relative-workdir',
    category: 'dockerfile',
    title: 'WORKDIR is a relative path',
    severity: 'low',
    description: 'A relative WORKDIR depends on the previous working directory and is easy to get wrong.',
    remediation: 'Use an absolute path, e.g. `WORKDIR /app`.',
    references: ['hadolint:DL3000', 'trivy:DS-0009', 'checkov:CKV_DOCKER_10'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'WORKDIR')
      .filter((i) => { const d = i.args.trim().replace(/^["']|["']$/g, ''); return d !== '' && !d.startsWith('/') && !d.startsWith('$') && !PATTERNS.windowsPath.test(d); })
      .map((i) => hit(i)),
    positives: ['FROM node:20\nWORKDIR app'],
    negatives: ['FROM node:20\nWORKDIR /app', 'FROM node:20\nWORKDIR $HOME/app'],
  },
  {
    id: 'dockerfile.cd-in-run',
    category: 'dockerfile',
    title: 'cd used in RUN instead of WORKDIR',
    severity: 'low',
    description: '`cd` only lasts for one RUN; WORKDIR makes the working directory explicit for every later instruction.',
    remediation: 'Set `WORKDIR /app` and drop the `cd`.',
    references: ['hadolint:DL3003', 'trivy:DS-0013'],
    check: (doc) => allRunCommands(doc).filter((c) => c.words[0] === 'cd').map((c) => ({ line: c.line, evidence: `RUN ${c.run.args}`.trim() })),
    positives: ['FROM node:20\nRUN cd /app && npm ci'],
    negatives: ['FROM node:20\nWORKDIR /app\nRUN npm ci'],
  },
  {
    id: 'dockerfile.curl-pipe-shell',
    category: 'dockerfile',
    title: 'Remote script piped into a shell',
    severity: 'high',
    description: 'A script downloaded with curl/wget is executed directly (curl | sh) without integrity verification.',
    remediation: 'Download to a file, verify its checksum or signature, then execute it; or install from a package repository.',
    references: ['CWE-494', 'CWE-829'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'RUN' && !i.jsonForm)
      .flatMap((i) => findDownloadPipedToShell(i.rawArgs).map((offset) => ({ line: i.line + offset, endLine: i.endLine, evidence: `RUN ${i.args}` }))),
    positives: ['FROM debian:12\nRUN curl -sL https://deb.nodesource.com/setup_20.x | bash -', 'FROM debian:12\nRUN wget -qO- https://x.example/i.sh | sudo sh'],
    negatives: ['FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://x.example/i.sh && sha256sum -c sums && sh /tmp/i.sh', 'FROM debian:12\nRUN curl -s https://x.example/k | gpg --dearmor'],
  },
  {
    id: 'dockerfile.secret-in-env',
    category: 'dockerfile',
    title: 'Secret in ENV or ARG',
    severity: 'high',
    description: 'A credential-like ENV/ARG has a literal value: it is baked into the image layers and visible with `docker history`.',
    remediation: 'Pass secrets at runtime (orchestrator secrets) or at build time with `RUN --mount=type=secret`; never as ENV/ARG values.',
    references: ['CWE-798', 'CWE-538'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
      .flatMap((i) => i.properties
        .filter((p) => isSecretName(p.name))
        .filter((p) => p.value !== null && p.value.length >= 4 && !p.value.startsWith('$') && !['true', 'false', 'changeme', 'none', 'null'].includes(p.value.toLowerCase()))
        .map((p) => ({ line: i.line, endLine: i.endLine, evidence: `${i.keyword} ${p.name}=${redact(p.value ?? '')}`, key: `${i.keyword} ${p.name}` }))),
    positives: ['FROM node:20\nENV DB_PASSWORD=Sup3rS3cret', 'FROM node:20\nARG NPM_TOKEN=npm_abcdefghijklmnop'],
    negatives: ['FROM node:20\nARG NPM_TOKEN', 'FROM node:20\nENV DB_PASSWORD_FILE=/run/secrets/db', 'FROM node:20\nENV API_KEY=${API_KEY}'],
  },
  {
    id: 'dockerfile.expose-ssh',
    category: 'dockerfile',
    title: 'Port 22 (SSH) exposed',
    severity: 'medium',
    description: 'The image exposes SSH; containers should not run an SSH daemon.',
    remediation: 'Remove `EXPOSE 22` and the SSH server; use `kubectl exec`/`docker exec` for debugging.',
    references: ['CWE-284', 'trivy:DS-0004', 'checkov:CKV_DOCKER_1'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).some((p) => PATTERNS.port.exec(p)?.[1] === '22'))
      .map((i) => hit(i)),
    positives: ['FROM ubuntu:24.04\nEXPOSE 22', 'FROM ubuntu:24.04\nEXPOSE 80 22/tcp'],
    negatives: ['FROM ubuntu:24.04\nEXPOSE 8022 2222'],
  },
  {
    id: 'dockerfile.expose-invalid-port',
    category: 'dockerfile',
    title: 'EXPOSE with a port outside 0-65535',
    severity: 'low',
    description: 'A port number outside the valid UNIX range is exposed.',
    remediation: 'Expose a port between 1 and 65535.',
    references: ['hadolint:DL3011', 'trivy:DS-0008'],
    check: (doc) => doc.instructions
      .filter((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).some((p) => { const m = PATTERNS.port.exec(p); return m !== null && Number(m[1]) > 65535; }))
      .map((i) => hit(i)),
    positives: ['FROM ubuntu:24.04\nEXPOSE 80000'],
    negatives: ['FROM ubuntu:24.04\nEXPOSE 8080'],
  },
  {
    id: 'dockerfile.missing-healthcheck',
    category: 'dockerfile',
    title: 'No HEALTHCHECK',
    severity: 'low',
    description: 'The final image defines no HEALTHCHECK, so Docker/Compose cannot tell a hung container from a healthy one.',
    remediation: 'Add e.g. `HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/healthcheck"]` (Kubernetes uses probes instead).',
    references: ['trivy:DS-0026', 'checkov:CKV_DOCKER_2'],
    fix: { kind: 'dockerfile.healthcheck' },
    check: (doc) => {
      const stage = doc.finalStage;
      if (!stage || stage.image === 'scratch') return [];
      return keywordHits(stageChain(doc, stage), 'HEALTHCHECK').length === 0
        ? [{ line: stage.fromLine, evidence: `FROM ${stage.image}`, fix: { kind: 'dockerfile.healthcheck', after_line: stage.instructions[stage.instructions.length - 1]?.endLine ?? stage.fromLine } }]
        : [];
    },
    positives: ['FROM node:20\nCMD ["node", "server.js"]'],
    negatives: ['FROM node:20\nHEALTHCHECK CMD ["node", "hc.js"]\nCMD ["node", "server.js"]', 'FROM node:20\nHEALTHCHECK NONE'],
  },
  {
    id: 'dockerfile.multiple-cmd',
    category: 'dockerfile',
    title: 'Several CMD instructions in one stage',
    severity: 'low',
    description: 'Only the last CMD of a stage takes effect; the earlier ones are dead code and usually a mistake.',
    remediation: 'Keep a single CMD per stage.',
    references: ['hadolint:DL4003', 'trivy:DS-0016'],
    check: (doc) => doc.stages.flatMap((s) => keywordHits(s.instructions, 'CMD').slice(1).map((i) => hit(i))),
    positives: ['FROM node:20\nCMD ["a"]\nCMD ["b"]'],
    negatives: ['FROM node:20 AS a\nCMD ["a"]\nFROM node:20\nCMD ["b"]'],
  },
  {
    id: 'dockerfile.multiple-entrypoint',
    category: 'dockerfile',
    title: 'Several ENTRYPOINT instructions in one stage',
    severity: 'medium',
    description: 'Only the last ENTRYPOINT of a stage takes effect.',
    remediation: 'Keep a single ENTRYPOINT per stage.',
    references: ['hadolint:DL4004', 'trivy:DS-0007'],
    check: (doc) => doc.stages.flatMap((s) => keywordHits(s.instructions, 'ENTRYPOINT').slice(1).map((i) => hit(i))),
    positives: ['FROM node:20\nENTRYPOINT ["a"]\nENTRYPOINT ["b"]'],
    negatives: ['FROM node:20\nENTRYPOINT ["a"]\nCMD ["b"]'],
  },
  {
    id: 'dockerfile.maintainer',
    category: 'dockerfile',
    title: 'MAINTAINER is deprecated',
    severity: 'low',
    description: 'MAINTAINER has been deprecated since Docker 1.13.',
    remediation: 'Use `LABEL org.opencontainers.image.authors="…"`.',
    references: ['hadolint:DL4000', 'trivy:DS-0022', 'checkov:CKV_DOCKER_6'],
    check: (doc) => keywordHits(doc.instructions, 'MAINTAINER').map((i) => hit(i)),
    positives: ['FROM node:20\nMAINTAINER someone@example.com'],
    negatives: ['FROM node:20\nLABEL org.opencontainers.image.authors="someone@example.com"'],
  },
  {
    id: 'dockerfile.copy-context-before-install',
    category: 'dockerfile',
    title: 'Whole build context copied before installing dependencies',
    severity: 'low',
    description: 'Copying the whole context before the dependency install invalidates the install layer on every source change, and can pull local secrets (.env) into the image.',
    remediation: 'Copy only the manifests first (package.json + lockfile, requirements.txt, go.mod/go.sum), install, then copy the rest; keep a .dockerignore.',
    references: ['CWE-538'],
    check: (doc) => doc.stages.flatMap((s) => {
      const copyIndex = s.instructions.findIndex(copiesWholeContext);
      if (copyIndex < 0) return [];
      const laterInstall = s.instructions.slice(copyIndex + 1).some((i) => runCommands(i).some((c) => isDependencyInstall(c.words)));
      return laterInstall ? [hit(s.instructions[copyIndex]!)] : [];
    }),
    positives: ['FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci', 'FROM python:3.12\nCOPY . /srv\nRUN pip install -r /srv/requirements.txt'],
    negatives: ['FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .', 'FROM node:20\nCOPY --from=build . /app\nRUN npm ci'],
  },
];
