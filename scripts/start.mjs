#!/usr/bin/env node
// Starts the whole fleet locally: installs dependencies if needed, finds or starts Redis, runs each
// service as its own process on its own port, prints the URLs, and stops everything on Ctrl-C.
//   REDIS_URL   use this Redis (else 127.0.0.1:6379 if it answers, else a local redis-server is started)
//   MODE        all (default) | daytime | nighttime — which services run
//   DATA_DIR    where services keep files (default ./.data)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
process.chdir(root);
const say = (msg) => process.stderr.write(`[linkops] ${msg}\n`);

function ensureDependencies() {
  if (existsSync(join(root, 'node_modules/.modules.yaml')) && existsSync(join(root, 'node_modules/tsx'))) return;
  say('installing dependencies (first run)…');
  const env = { ...process.env, COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };
  let r = spawnSync('corepack', ['pnpm', 'install', '--frozen-lockfile'], { stdio: 'inherit', env });
  if (r.status !== 0) r = spawnSync('npx', ['-y', 'pnpm@12.4.2', 'install', '--frozen-lockfile'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    say('dependency install failed; see the output above');
    process.exit(1);
  }
}

function redisAnswers(host, port, timeoutMs = 500) {
  return new Promise((res) => {
    const s = createConnection({ host, port });
    const done = (ok) => { s.destroy(); res(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().includes('PONG')));
  });
}

const children = [];
let redisChild;
let stopping = false;

async function ensureRedis(dataDir) {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const url = 'redis://127.0.0.1:6379';
  if (await redisAnswers('127.0.0.1', 6379)) return url;
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    say('no Redis answers on 127.0.0.1:6379 and no redis-server binary was found.');
    say('get one with: apt-get install redis-server   |   brew install redis   |   docker compose up -d redis');
    say('or point REDIS_URL at an existing Redis.');
    process.exit(1);
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  say(`starting a local redis-server (AOF persistence in ${dir})`);
  redisChild = spawn('redis-server', ['--port', '6379', '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await redisAnswers('127.0.0.1', 6379)) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  say('redis-server did not answer within 10 s');
  process.exit(1);
}

async function main() {
  ensureDependencies();
  const { register } = await import('tsx/esm/api');
  register();
  const { SERVICES } = await import('../packages/shared/src/services.ts');
  const mode = process.env.MODE ?? 'all';
  const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
  mkdirSync(dataDir, { recursive: true });
  const redisUrl = await ensureRedis(dataDir);
  const wanted = SERVICES.filter((s) => mode === 'all' || s.modes.includes(mode));
  for (const spec of wanted) startChild(spec, { REDIS_URL: redisUrl, DATA_DIR: dataDir, MODE: mode }, 0);
  const up = await waitHealthy(wanted, 60_000);
  say(`fleet ${up.length === wanted.length ? 'up' : 'partly up'} (mode ${mode}, redis ${redisUrl.replace(/\/\/[^@]*@/, '//***@')}):`);
  for (const s of wanted) say(`  ${up.includes(s.name) ? '✓' : '✗'} ${s.name.padEnd(16)} http://127.0.0.1:${s.port}  (docs: /docs, metrics: /metrics)`);
  say('Ctrl-C stops everything.');
}

function startChild(spec, extraEnv, restarts) {
  const env = { ...process.env, ...extraEnv, PORT: String(spec.port) };
  const child = spawn(process.execPath, ['--import', 'tsx', join('services', spec.name, 'src/main.ts')], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    children.splice(children.indexOf(child), 1);
    if (stopping) return;
    say(`${spec.name} exited (${signal ?? code})`);
    if (restarts < 5) {
      const delay = 500 * 2 ** restarts;
      say(`restarting ${spec.name} in ${delay} ms`);
      setTimeout(() => !stopping && startChild(spec, extraEnv, restarts + 1), delay);
    }
  });
}

async function waitHealthy(specs, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const up = new Set();
  while (Date.now() < deadline && up.size < specs.length) {
    for (const s of specs) {
      if (up.has(s.name)) continue;
      try {
        const r = await fetch(`http://127.0.0.1:${s.port}/health`, { signal: AbortSignal.timeout(1000) });
        if (r.ok) up.add(s.name);
      } catch { /* not yet */ }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return [...up];
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping ${children.length} services…`);
  for (const c of children) c.kill('SIGTERM');
  const finish = () => {
    if (redisChild) redisChild.kill('SIGTERM');
    process.exit(0);
  };
  const t = setTimeout(() => { for (const c of children) c.kill('SIGKILL'); finish(); }, 15_000);
  const check = setInterval(() => { if (children.length === 0) { clearInterval(check); clearTimeout(t); finish(); } }, 100);
}
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
main().catch((err) => { say(err.stack ?? String(err)); stopAll('error'); });
