/** Candidate extraction throughput on a synthetic docs page (~60 sections). */
import { performance } from 'node:perf_hooks';
import { parsePage } from '../src/index.js';

const sections = Array.from({ length: 60 }, (_, i) => `<h2 id="s${i}">Configure feature ${i}</h2>
<p>Feature ${i} is configured through the values file. Set the flag and redeploy the release to apply it.</p>
<pre><code class="language-yaml">feature${i}:\n  enabled: true\n  replicas: ${i % 5}</code></pre>
<ul><li>Check the rollout status.</li><li>Verify the metrics endpoint.</li></ul>`).join('\n');
const html = `<html><head><title>Docs</title><script>x()</script></head><body><nav>${'<a href="/a">a</a>'.repeat(50)}</nav>
<div class="cookie-banner">cookies</div><main><h1>Operator guide</h1>${sections}</main><footer>f</footer></body></html>`;

const runs = 200;
let candidates = 0;
const t = performance.now();
for (let i = 0; i < runs; i++) candidates = parsePage(html, 'https://docs.example.com/guide').candidates.length;
const ms = (performance.now() - t) / runs;
console.log(`parsePage: ${(html.length / 1024).toFixed(0)} KiB page, ${candidates} candidates, ${ms.toFixed(2)} ms/page (${(html.length / 1024 / (ms / 1000) / 1024).toFixed(1)} MiB/s)`);
