import { describe, expect, it } from 'vitest';
import { extractCandidates, extractLinks, taskFromHeading } from '../src/index.js';
import { PAGES } from './site.js';

const URL_ = 'https://docs.example.com/docs/';

describe('extractCandidates', () => {
  const candidates = extractCandidates(PAGES['/docs/']!, URL_);
  const all = JSON.stringify(candidates);

  it('turns sections into task/answer pairs with fenced code', () => {
    const install = candidates.find((c) => c.task === 'Install the CLI');
    expect(install?.answer).toBe('Install the CLI with npm. Node 20 or later is required.\n\n```bash\nnpm install -g foo-cli\nfoo --version\n```');
    expect(install?.source_url).toBe('https://docs.example.com/docs/#install-the-cli');
    const config = candidates.find((c) => c.task === 'How to configure');
    expect(config?.answer).toContain('- Set cluster to the kube context name.\n- Set namespace to the target namespace.');
  });

  it('lets a section run until the next heading of the same or a higher level', () => {
    const top = candidates.find((c) => c.task === 'How to work with foo CLI');
    expect(top?.answer.startsWith('Foo is a command line tool')).toBe(true);
    expect(top?.answer).toContain('## Install the CLI');
    expect(top?.answer).toContain('## Configuration');
    expect(candidates.map((c) => c.task)).toEqual(['How to work with foo CLI', 'Install the CLI', 'How to configure']);
  });

  it('drops navigation, header, footer, aside, scripts and cookie/newsletter banners', () => {
    for (const junk of ['Site header text', 'cookies', 'newsletter', 'sidebar text', 'Copyright footer', 'nav script text', 'color:red']) {
      expect(all).not.toContain(junk);
    }
  });

  it('skips sections that are too short', () => {
    expect(candidates.some((c) => c.task.includes('Empty'))).toBe(false);
  });

  it('de-duplicates identical answers', () => {
    const html = `<main><h2>Install</h2><p>Run the installer and follow the prompts on screen.</p><h2>Install again</h2><p>Run the  installer and follow the prompts on SCREEN.</p></main>`;
    expect(extractCandidates(html, URL_)).toHaveLength(1);
  });

  it('keeps article headers, renders ordered lists, nested code and tables', () => {
    const html = `<body><article><header><h1>Deploy with Helm</h1></header>
      <ol><li>Add the repo<pre><code class="language-sh">helm repo add foo https://x</code></pre></li><li>Install the chart</li></ol>
      <table><tr><th>Key</th><th>Default</th></tr><tr><td>replicas</td><td>2</td></tr></table></article></body>`;
    const [c] = extractCandidates(html, URL_);
    expect(c?.task).toBe('Deploy with Helm');
    expect(c?.answer).toBe('1. Add the repo\n```sh\nhelm repo add foo https://x\n```\n2. Install the chart\n\nKey | Default\nreplicas | 2');
  });

  it('returns nothing for pages without headings or content', () => {
    expect(extractCandidates('<p>Just a paragraph without any heading at all, long enough.</p>', URL_)).toEqual([]);
    expect(extractCandidates('', URL_)).toEqual([]);
  });
});

describe('taskFromHeading', () => {
  it.each([
    ['How do I upgrade Foo?', 'How do I upgrade Foo?'],
    ['Why is my pod pending', 'Why is my pod pending'],
    ['Configure probes', 'Configure probes'],
    ['Installation', 'How to install'],
    ['Getting started', 'How to get started'],
    ['Configuration of the agent', 'How to configure of the agent'],
    ['Environment variables ¶', 'How to work with environment variables'],
  ])('%s -> %s', (heading, task) => {
    expect(taskFromHeading(heading)).toBe(task);
  });
});

describe('extractLinks', () => {
  it('resolves http(s) links, strips fragments and de-duplicates', () => {
    const links = extractLinks(PAGES['/docs/']!, URL_);
    expect(links).toContain('https://docs.example.com/docs/install');
    expect(links).toContain('https://docs.example.com/docs/config');
    expect(links).toContain('http://example.com/offsite');
    expect(links.some((l) => l.startsWith('mailto:') || l.includes('#'))).toBe(false);
    expect(new Set(links).size).toBe(links.length);
  });

  it('honours <base href>', () => {
    expect(extractLinks('<base href="https://other.example/sub/"><a href="page">x</a>', URL_)).toEqual(['https://other.example/sub/page']);
  });
});
