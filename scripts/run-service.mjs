#!/usr/bin/env node
// Container entry point: runs the service named by $SERVICE (one image, eight services).
import { register } from 'tsx/esm/api';
import { existsSync } from 'node:fs';

const name = process.env.SERVICE ?? '';
if (!/^[a-z_]+$/.test(name) || !existsSync(new URL(`../services/${name}/src/main.ts`, import.meta.url))) {
  process.stderr.write(`SERVICE must name a directory under services/ (got "${name}")\n`);
  process.exit(78);
}
register();
await import(`../services/${name}/src/main.ts`);
