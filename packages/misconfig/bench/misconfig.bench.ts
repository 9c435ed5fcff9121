/**
 * Throughput of the pure checkers on realistic inputs. Run: node --import tsx packages/misconfig/bench/misconfig.bench.ts
 */
import { checkCompose, checkDockerfile, checkKubernetesSet, checkSast, checkWorkflow } from '../src/index.js';
import { deployment, manifests, NETWORK_POLICY } from '../src/kubernetes/vectors.js';

function bench(name: string, iterations: number, bytes: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(20, iterations); i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${name.padEnd(34)} ${(ms / iterations).toFixed(3).padStart(9)} ms/op  ${((bytes * iterations) / 1024 / 1024 / (ms / 1000)).toFixed(2).padStart(8)} MiB/s`);
}

const dockerfile = ['FROM node:latest AS build', 'WORKDIR /app', 'COPY . .', 'RUN apt-get update && apt-get install -y curl git \\', '  && curl -sL https://x.example/i.sh | bash', 'RUN npm install', 'FROM node:20-slim', 'COPY --from=build /app /app', 'USER root', 'CMD npm start'].join('\n');
const k8s = Array.from({ length: 50 }, (_, i) => manifests({ ...deployment({ replicas: 3 }), metadata: { name: `svc-${i}`, namespace: 'shop' } })).join('---\n') + '---\n' + manifests(NETWORK_POLICY);
const compose = 'services:\n' + Array.from({ length: 30 }, (_, i) => `  s${i}:\n    image: postgres\n    ports: ["54${String(i).padStart(2, '0')}:5432"]\n    environment:\n      DB_PASSWORD: hunter2hunter2\n`).join('');
const workflow = 'on: [pull_request_target]\njobs:\n' + Array.from({ length: 20 }, (_, i) => `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo "\${{ github.event.pull_request.title }}"\n`).join('');
const js = Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? "exec('ls ' + req.query.dir);" : `const v${i} = compute(${i}, "value-${i}");`)).join('\n') + "\nconst cp = require('child_process');\n";
const py = Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? 'cfg = yaml.load(request.data)' : `v${i} = compute(${i}, "value-${i}")`)).join('\n');

bench('dockerfile (10 lines)', 2000, dockerfile.length, () => checkDockerfile(dockerfile, 'Dockerfile'));
bench('kubernetes set (51 objects)', 20, k8s.length, () => checkKubernetesSet([{ path: 'k8s/all.yaml', content: k8s }]));
bench('compose (30 services)', 200, compose.length, () => checkCompose(compose, 'docker-compose.yml'));
bench('workflow (20 jobs)', 200, workflow.length, () => checkWorkflow(workflow, '.github/workflows/ci.yml'));
bench('sast javascript (2000 lines)', 20, js.length, () => checkSast(js, 'src/app.js'));
bench('sast python (2000 lines)', 20, py.length, () => checkSast(py, 'app/app.py'));
