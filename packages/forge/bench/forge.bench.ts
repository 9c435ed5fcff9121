import { performance } from 'node:perf_hooks';
import { enhanceArtifact, smithArtifacts } from '../src/index.js';
import { PER_PLATFORM } from '../test/fixtures.js';

const rounds = 200;
let t = performance.now();
for (let i = 0; i < rounds; i++) for (const r of PER_PLATFORM) smithArtifacts([r]);
const smithMs = (performance.now() - t) / (rounds * PER_PLATFORM.length);
const orbs = PER_PLATFORM.map((r) => smithArtifacts([r])[0]!);
t = performance.now();
for (const o of orbs) await enhanceArtifact(o);
const enhanceOrbMs = (performance.now() - t) / orbs.length;
const runes = PER_PLATFORM.slice(0, 3).map((r) => smithArtifacts([r])[1]!);
t = performance.now();
for (const r of runes) await enhanceArtifact(r);
const enhanceRuneMs = (performance.now() - t) / runes.length;
console.log(`smith (orb+rune) per record: ${smithMs.toFixed(2)} ms`);
console.log(`enhance orb (shellcheck + misconfig): ${enhanceOrbMs.toFixed(1)} ms`);
console.log(`enhance rune (python AST check): ${enhanceRuneMs.toFixed(1)} ms`);
