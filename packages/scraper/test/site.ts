import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A small docs site on 127.0.0.1 with the traps a crawler must handle. */
export interface TestSite {
  base: string;
  port: number;
  /** Paths requested, in order. */
  requests: string[];
  close: () => Promise<void>;
}

const layout = (title: string, body: string, links: string[] = []) => `<!doctype html>
<html><head><title>${title}</title><style>.x{color:red}</style><script>var tracking = "nav script text";</script></head>
<body>
<header class="site-header"><a href="/docs/">Home</a> Site header text</header>
<nav><a href="/docs/install">Install</a> <a href="/docs/config">Config</a> <a href="/private/secret">Private</a></nav>
<div id="cookie-consent">We use cookies to improve your experience. Accept all cookies?</div>
<main>${body}
<p>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</p>
</main>
<aside>Related: sidebar text</aside>
<div class="newsletter-box">Subscribe to our newsletter for weekly tips</div>
<footer>Copyright footer text</footer>
</body></html>`;

export const PAGES: Record<string, string> = {
  '/docs/': layout(
    'Foo docs',
    `<h1>Foo CLI</h1>
<p>Foo is a command line tool that deploys containers to Kubernetes clusters.</p>
<h2 id="install-the-cli">Install the CLI</h2>
<p>Install the CLI with npm. Node 20 or later is required.</p>
<pre><code class="language-bash">npm install -g foo-cli
foo --version</code></pre>
<h2>Configuration</h2>
<p>Foo reads its settings from a YAML file in the project root.</p>
<ul><li>Set <code>cluster</code> to the kube context name.</li><li>Set <code>namespace</code> to the target namespace.</li></ul>
<h2>Empty</h2>
<p>Short.</p>`,
    ['/docs/install', '/docs/config#top', '/private/secret', '/r/1', '/big', '/binary', '/to-metadata', 'http://example.com/offsite', 'mailto:a@b.c'],
  ),
  '/docs/install': layout(
    'Install',
    `<h1>How do I upgrade Foo?</h1>
<p>Run the self-update command; it keeps your configuration file untouched.</p>
<pre class="lang-sh">foo self-update --channel stable</pre>`,
    ['/docs/', '/docs/deep'],
  ),
  '/docs/config': layout(
    'Config',
    `<h1>Environment variables</h1>
<p>FOO_TOKEN authenticates the CLI against the API; never commit it to the repository.</p>
<h2>Install the CLI</h2>
<p>Install the CLI with npm. Node 20 or later is required.</p>
<pre><code class="language-bash">npm install -g foo-cli
foo --version</code></pre>`,
  ),
  '/docs/deep': layout('Deep', `<h1>Rotate credentials</h1><p>Rotate the FOO_TOKEN every ninety days using the foo token rotate command.</p>`),
  '/private/secret': layout('Secret', '<h1>Secret</h1><p>This page is disallowed by robots.txt and must never be fetched.</p>'),
};

export async function startSite(): Promise<TestSite> {
  const requests: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const page = PAGES[path];
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    const hop = /^\/r\/(\d+)$/.exec(path);
    if (hop) {
      const n = Number(hop[1]);
      res.writeHead(302, { location: n >= 3 ? '/docs/config' : `/r/${n + 1}` });
      res.end();
      return;
    }
    switch (path) {
      case '/robots.txt':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n');
        return;
      case '/loop':
        res.writeHead(301, { location: '/loop' });
        res.end();
        return;
      case '/big': {
        // Streamed without content-length so the cap must be enforced while reading.
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = `<p>${'x'.repeat(16 * 1024)}</p>`;
        let sent = 0;
        const push = () => {
          while (sent < 200) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', push);
          }
          res.end();
        };
        res.on('close', () => (sent = Infinity));
        push();
        return;
      }
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(5_000_000) });
        res.end();
        return;
      case '/binary':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from([0, 1, 2, 3, 255]));
        return;
      case '/plain':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('plain text body');
        return;
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
        return;
      case '/to-private':
        res.writeHead(307, { location: 'http://10.0.0.1/admin' });
        res.end();
        return;
      case '/to-evil':
        res.writeHead(302, { location: `http://evil.test:${port}/docs/` });
        res.end();
        return;
      case '/slow':
        // never answers; the client timeout must fire
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not found</h1>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
