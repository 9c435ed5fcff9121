/**
 * Throughput and recall: linkops secrets engine vs secretlint (recommended preset) on the same files.
 * Corpus: real text files from node_modules/.pnpm (~60 MB) plus generated config/code files with planted
 * secrets of types both tools detect. secretlint is much slower, so it gets the planted files plus as much of
 * the corpus as fits its time budget; linkops is timed on exactly that subset too, and on the whole corpus.
 * Both read the same in-memory strings (no file I/O is timed). BENCH_ROUNDS (default 3) sets the rounds.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { engineFor, isGloballyAllowlisted, scanText } from '../src/index.js';
import { walkTextFiles } from '../scripts/text-files.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const PNPM = join(ROOT, 'node_modules/.pnpm');
const CORPUS_CAP = 60 * 1024 * 1024;
const SECRETLINT_BUDGET_MS = 45_000;
const TEXT_EXT = /\.(?:js|mjs|cjs|ts|mts|cts|json|md|ya?ml|txt|env|sh|py|rb|go|toml|ini|cfg|html|css)$/;

interface BenchFile { path: string; content: string; bytes: number }
interface Planted { path: string; line: number; kind: string; value: string }

function collectCorpus(): BenchFile[] {
  const files: BenchFile[] = [];
  walkTextFiles(PNPM, { extensions: TEXT_EXT, capBytes: CORPUS_CAP }, (full) => {
    // Same relative path for both tools, without the node_modules segments our walker would skip.
    const path = `corpus/${relative(PNPM, full).replace(/node_modules\//g, 'nm/')}`;
    if (isGloballyAllowlisted(path)) return 0;
    const content = readFileSync(full, 'utf8');
    if (content.includes('\u0000')) return 0;
    files.push({ path, content, bytes: Buffer.byteLength(content) });
    return files[files.length - 1]!.bytes;
  });
  return files;
}

/** Deterministic pseudo-random strings (xorshift), so runs are comparable. */
let seed = 0x2545f491;
function rnd(n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    s += alphabet[seed % alphabet.length];
  }
  return s;
}
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UP32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = AN + '+/';
const digits = (n: number) => rnd(n, '0123456789');

const SECRET_KINDS: Array<{ kind: string; make: () => string; line: (v: string) => string }> = [
  { kind: 'aws-access-key-id', make: () => 'AKIA' + rnd(16, UP32), line: (v) => `AWS_ACCESS_KEY_ID=${v}` },
  { kind: 'github-pat', make: () => 'ghp_' + rnd(36, AN), line: (v) => `  token: "${v}"` },
  { kind: 'github-oauth', make: () => 'gho_' + rnd(36, AN), line: (v) => `const ghToken = '${v}';` },
  { kind: 'slack-bot-token', make: () => `xoxb-${digits(12)}-${digits(13)}-${rnd(24, AN)}`, line: (v) => `SLACK_BOT_TOKEN=${v}` },
  { kind: 'slack-webhook', make: () => `https://hooks.slack.com/services/T${rnd(8, UP32)}/B${rnd(10, UP32)}/${rnd(24, AN)}`, line: (v) => `  webhook_url: ${v}` },
  { kind: 'stripe-live', make: () => 'sk_live_' + rnd(99, AN), line: (v) => `stripe.api_key = "${v}"` },
  { kind: 'npm-token', make: () => 'npm_' + rnd(36, AN), line: (v) => `//registry.npmjs.org/:_authToken=${v}` },
  { kind: 'sendgrid', make: () => `SG.${rnd(22, AN)}.${rnd(43, AN)}`, line: (v) => `SENDGRID_API_KEY="${v}"` },
  { kind: 'shopify', make: () => 'shpat_' + rnd(32, '0123456789abcdef'), line: (v) => `  "shopifyToken": "${v}",` },
  { kind: 'openai', make: () => 'sk-proj-' + rnd(74, AN) + 'T3BlbkFJ' + rnd(74, AN), line: (v) => `OPENAI_API_KEY=${v}` },
];

function privateKey(): string {
  const lines = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEA' + rnd(48, B64)];
  for (let i = 0; i < 24; i++) lines.push(rnd(64, B64));
  lines.push(rnd(40, B64) + '==', '-----END RSA PRIVATE KEY-----');
  return lines.join('\n');
}

function generatePlanted(): { files: BenchFile[]; planted: Planted[] } {
  const files: BenchFile[] = [];
  const planted: Planted[] = [];
  for (let f = 0; f < 20; f++) {
    const path = `generated/service-${f}/config.${['env', 'yaml', 'ts', 'py'][f % 4]}`;
    const lines: string[] = [];
    const filler = () => { for (let i = 0; i < 40; i++) lines.push(`setting_${i} = "${rnd(8, 'abcdefghij')}" # regular config line ${i}`); };
    filler();
    for (let k = 0; k < 2; k++) {
      const spec = SECRET_KINDS[(f * 2 + k) % SECRET_KINDS.length]!;
      const value = spec.make();
      lines.push(spec.line(value));
      planted.push({ path, line: lines.length, kind: spec.kind, value });
      filler();
    }
    if (f % 5 === 0) {
      const key = privateKey();
      planted.push({ path, line: lines.length + 1, kind: 'private-key', value: key.split('\n')[1]! });
      lines.push(...key.split('\n'));
      filler();
    }
    const content = lines.join('\n') + '\n';
    files.push({ path, content, bytes: Buffer.byteLength(content) });
  }
  return { files, planted };
}

const mb = (bytes: number) => bytes / (1024 * 1024);

function recallOf(planted: Planted[], hits: Map<string, Array<[number, number]>>): number {
  return planted.filter((p) => (hits.get(p.path) ?? []).some(([s, e]) => p.line >= s && p.line <= e)).length;
}

function runLinkops(files: BenchFile[]): { ms: number; hits: Map<string, Array<[number, number]>>; findings: number } {
  const hits = new Map<string, Array<[number, number]>>();
  let findings = 0;
  const t0 = performance.now();
  for (const f of files) {
    const out = scanText(f.content, f.path);
    findings += out.length;
    if (out.length) hits.set(f.path, out.map((x) => [x.location.start_line, x.location.end_line]));
  }
  return { ms: performance.now() - t0, hits, findings };
}

async function runSecretlint(files: BenchFile[], budgetMs: number): Promise<{ ms: number; files: BenchFile[]; hits: Map<string, Array<[number, number]>> }> {
  const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };
  const hits = new Map<string, Array<[number, number]>>();
  const done: BenchFile[] = [];
  const start = performance.now();
  for (const f of files) {
    if (performance.now() - start > budgetMs) break;
    const result = await lintSource({
      source: { content: f.content, filePath: f.path, contentType: 'text' },
      options: { config, maskSecrets: true },
    } as Parameters<typeof lintSource>[0]);
    done.push(f);
    if (result.messages.length) hits.set(f.path, result.messages.map((m) => [m.loc.start.line, m.loc.end.line] as [number, number]));
  }
  return { ms: performance.now() - start, files: done, hits };
}

const unplanted = (planted: Planted[], hits: Map<string, Array<[number, number]>>) =>
  [...hits].reduce((n, [path, spans]) => n + spans.filter(([s, e]) => !planted.some((p) => p.path === path && p.line >= s && p.line <= e)).length, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const missed = (planted: Planted[], hits: Map<string, Array<[number, number]>>) =>
  [...new Set(planted.filter((p) => !(hits.get(p.path) ?? []).some(([s, e]) => p.line >= s && p.line <= e)).map((p) => p.kind))];

async function main() {
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const corpus = collectCorpus();
  const { files: generated, planted } = generatePlanted();
  const all = [...generated, ...corpus];
  const totalBytes = all.reduce((n, f) => n + f.bytes, 0);
  console.log(`corpus: ${all.length} files, ${mb(totalBytes).toFixed(1)} MB (${generated.length} generated with ${planted.length} planted secrets)`);
  console.log(`keyword kernel: ${engineFor().keywordKernel}`);

  runLinkops(generated); // warm-up: compile rules, JIT
  const full = runLinkops(all);
  console.log(`linkops (full corpus, first pass): ${(mb(totalBytes) / (full.ms / 1000)).toFixed(1)} MB/s, ${full.findings} findings, recall ${recallOf(planted, full.hits)}/${planted.length}`);

  // secretlint gets as much of the same file list as fits its budget (planted files first); both tools then
  // run that subset in alternating rounds, and the medians are compared (this machine's speed drifts).
  const first = await runSecretlint(all, SECRETLINT_BUDGET_MS);
  const subset = first.files;
  const subsetMb = mb(subset.reduce((n, f) => n + f.bytes, 0));
  const slRates = [subsetMb / (first.ms / 1000)];
  const ourRates: number[] = [];
  let ours = runLinkops(subset);
  ourRates.push(subsetMb / (ours.ms / 1000));
  for (let r = 1; r < rounds; r++) {
    const sl = await runSecretlint(subset, Number.POSITIVE_INFINITY);
    slRates.push(subsetMb / (sl.ms / 1000));
    ours = runLinkops(subset);
    ourRates.push(subsetMb / (ours.ms / 1000));
  }
  const ourRate = median(ourRates);
  const slRate = median(slRates);
  console.log(`same subset for both tools: ${subset.length} files, ${subsetMb.toFixed(1)} MB, ${rounds} alternating rounds`);
  console.log(`linkops: ${ourRate.toFixed(1)} MB/s (rounds: ${ourRates.map((r) => r.toFixed(0)).join(', ')}) recall ${recallOf(planted, ours.hits)}/${planted.length}`);
  console.log(`secretlint: ${slRate.toFixed(2)} MB/s (rounds: ${slRates.map((r) => r.toFixed(1)).join(', ')}) recall ${recallOf(planted, first.hits)}/${planted.length}`);
  console.log(`ratio: ${(ourRate / slRate).toFixed(1)}x (medians)`);
  console.log(`missed by secretlint: ${missed(planted, first.hits).join(', ') || 'none'}; missed by linkops: ${missed(planted, ours.hits).join(', ') || 'none'}`);
  console.log(`findings on the subset: linkops ${ours.findings}, secretlint ${[...first.hits.values()].reduce((n, v) => n + v.length, 0)}`);
  // The corpus is published packages: what a tool reports outside the planted lines is almost all noise
  // (test fixtures and docs samples at best).
  console.log(`findings outside the planted lines: linkops ${unplanted(planted, ours.hits)}, secretlint ${unplanted(planted, first.hits)}`);

  // Hostile input: one minified line dense with token-shaped strings. Time must grow linearly with size.
  const dense = (bytes: number) => 'eyJhbGciOiJIUzI1NiJ9.eyJ'.repeat(Math.ceil(bytes / 24));
  const timeDense = (bytes: number) => {
    const text = dense(bytes);
    const t0 = performance.now();
    const n = scanText(text, 'dist/dense.js').length;
    return { ms: performance.now() - t0, n };
  };
  const small = timeDense(1024 * 1024);
  const large = timeDense(4 * 1024 * 1024);
  console.log(`dense line: 1 MB ${small.ms.toFixed(0)} ms (${small.n} findings), 4 MB ${large.ms.toFixed(0)} ms (${large.n} findings), growth ${(large.ms / small.ms).toFixed(1)}x for 4x the size`);
}

await main();
// secretlint's built-in profiler queues every performance mark to an observer that runs only once the event loop
// turns, after the timed loops (so its cost is not in secretlint's rate), and then works through them for many
// minutes. Nothing else is pending: exit instead of waiting for it.
process.exit(0);
