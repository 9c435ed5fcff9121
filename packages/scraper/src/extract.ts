import { createHash } from 'node:crypto';
import { load, type CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';

/** A task/answer pair found on a page, ready for whis_data_input (source 'webscraper'). */
export interface Candidate {
  task: string;
  answer: string;
  source_url: string;
}

export interface ExtractOptions {
  /** Sections whose answer is shorter than this are skipped (default 40 chars). */
  minAnswerChars?: number;
  /** Sections whose answer is longer are skipped as too broad (default 20 000 chars). */
  maxAnswerChars?: number;
}

type El = Element;

/** Chrome that never carries the answer. */
const BOILERPLATE_TAGS = 'script, style, noscript, template, svg, iframe, nav, aside, footer, form, button, dialog';
const BOILERPLATE_ROLES = '[role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=dialog], [role=alertdialog], [aria-hidden=true], [hidden]';
/** Cookie banners, newsletter boxes and the like, recognised by class/id. */
const BOILERPLATE_NAME = /cookie|consent|gdpr|banner|newsletter|subscribe|advert|sidebar|breadcrumb|skip-link|popup|modal/i;
const BLOCKS = 'h1, h2, h3, h4, h5, h6, p, ul, ol, pre, blockquote, dl, table';
const QUESTION = /^(how|what|why|when|where|which|who|can|could|should|is|are|do|does|will|would)\b|\?$/i;
/** Headings that already read as an instruction. */
const IMPERATIVES = new Set(
  'add adjust allow avoid build check choose clean configure connect convert create debug define deploy disable enable expose fix generate harden install keep limit manage migrate monitor move pin protect publish pull push read remove rename restart restrict roll rotate run scale secure set setup start stop store switch sync test troubleshoot update upgrade use verify write'.split(' '),
);
/** Common noun headings and the verb phrase they stand for. */
const NOMINAL: Record<string, string> = {
  installation: 'install',
  installing: 'install',
  configuration: 'configure',
  configuring: 'configure',
  deployment: 'deploy',
  deploying: 'deploy',
  usage: 'use',
  using: 'use',
  setup: 'set up',
  'getting started': 'get started',
  troubleshooting: 'troubleshoot',
  upgrading: 'upgrade',
  testing: 'test',
  authentication: 'authenticate',
  migration: 'migrate',
};

const PERMALINK_MARKS = new Set(['#', '¶', '§', '🔗']);

/** Drops trailing permalink symbols docs generators append to headings (a loop: no regex backtracking). */
function stripPermalinkMarks(text: string): string {
  const chars = [...text];
  while (chars.length && (PERMALINK_MARKS.has(chars[chars.length - 1]!) || chars[chars.length - 1] === ' ')) chars.pop();
  return chars.join('');
}

/** Turns a section heading into a task: questions and imperatives stay, other headings become "How to ...". */
export function taskFromHeading(heading: string): string {
  const h = stripPermalinkMarks(heading.replace(/\s+/g, ' ').trim());
  if (QUESTION.test(h)) return h;
  const lower = h.toLowerCase();
  const first = lower.split(' ')[0] ?? '';
  if (IMPERATIVES.has(first)) return h;
  for (const [noun, verb] of Object.entries(NOMINAL)) {
    if (lower === noun || lower.startsWith(`${noun} `)) return `How to ${verb}${h.slice(noun.length)}`;
  }
  return `How to work with ${h.charAt(0).toLowerCase()}${h.slice(1)}`;
}

/** http(s) links of a page, resolved, without fragments, de-duplicated, in document order. */
export function extractLinks(html: string, baseUrl: string): string[] {
  return linksFrom(load(html), baseUrl);
}

function linksFrom($: CheerioAPI, baseUrl: string): string[] {
  const base = $('base[href]').attr('href');
  let resolvedBase = baseUrl;
  try {
    if (base) resolvedBase = new URL(base, baseUrl).href;
  } catch {
    /* ignore a broken <base> */
  }
  const seen = new Set<string>();
  for (const a of $('a[href]').toArray()) {
    const href = ($(a).attr('href') ?? '').trim();
    if (!href || href.startsWith('#')) continue;
    let url: URL;
    try {
      url = new URL(href, resolvedBase);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    seen.add(url.href);
  }
  return [...seen];
}

interface OpenSection {
  /** Position of the heading in the page, to return candidates in page order. */
  seq: number;
  level: number;
  heading: string;
  anchor: string | undefined;
  parts: string[];
}

/** Parses a page once: candidate pairs plus links to follow. */
export function parsePage(html: string, url: string, opts: ExtractOptions = {}): { title: string; candidates: Candidate[]; links: string[] } {
  const $ = load(html);
  const links = linksFrom($, url);
  const title = $('title').first().text().replace(/\s+/g, ' ').trim();
  return { title, links, candidates: candidatesFrom($, url, opts) };
}

/**
 * Splits a page into sections (h1-h3 heading plus the paragraphs, lists and code blocks up to the
 * next heading of the same or a higher level) after dropping navigation, footers and banners, and
 * turns each into a task/answer pair. Empty or tiny sections are skipped; identical answers are kept once.
 */
export function extractCandidates(html: string, url: string, opts: ExtractOptions = {}): Candidate[] {
  return candidatesFrom(load(html), url, opts);
}

function candidatesFrom($: CheerioAPI, url: string, opts: ExtractOptions): Candidate[] {
  const minAnswer = opts.minAnswerChars ?? 40;
  const maxAnswer = opts.maxAnswerChars ?? 20_000;
  stripBoilerplate($);
  const root = $('main, [role=main]').first().length ? $('main, [role=main]').first() : $('article').first().length ? $('article').first() : $('body');
  const blocks = root.find(BLOCKS).toArray() as El[];
  const containers = new Set<El>(blocks.filter((b) => !/^h[1-6]$/.test(b.tagName)));
  const topLevel = blocks.filter((b) => !$(b).parents().toArray().some((p) => containers.has(p as El)));

  const out: Array<Candidate & { seq: number }> = [];
  const seen = new Set<string>();
  const open: OpenSection[] = [];
  let seq = 0;
  const emit = (s: OpenSection) => {
    const answer = s.parts.join('\n\n').trim();
    if (answer.length < minAnswer || answer.length > maxAnswer || !s.heading) return;
    const hash = createHash('sha256').update(normalize(answer)).digest('hex');
    if (seen.has(hash)) return;
    seen.add(hash);
    const source = new URL(url);
    source.hash = s.anchor ? encodeURIComponent(s.anchor) : '';
    out.push({ seq: s.seq, task: taskFromHeading(s.heading), answer, source_url: source.href });
  };

  for (const el of topLevel) {
    const tag = el.tagName.toLowerCase();
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      const level = Number(heading[1]);
      const text = inlineText($, el);
      if (level <= 3) {
        while (open.length && open[open.length - 1]!.level >= level) emit(open.pop()!);
        for (const s of open) s.parts.push(`${'#'.repeat(level)} ${text}`);
        open.push({ seq: seq++, level, heading: text, anchor: $(el).attr('id') ?? $(el).find('[id]').first().attr('id'), parts: [] });
      } else {
        for (const s of open) s.parts.push(`**${text}**`);
      }
      continue;
    }
    if (isLinkList($, el)) continue;
    const rendered = renderBlock($, el).trim();
    if (!rendered) continue;
    for (const s of open) s.parts.push(rendered);
  }
  while (open.length) emit(open.pop()!);
  // Emitted innermost-first; present them in page order.
  return out.sort((a, b) => a.seq - b.seq).map(({ task, answer, source_url }) => ({ task, answer, source_url }));
}

function stripBoilerplate($: CheerioAPI): void {
  $(BOILERPLATE_TAGS).remove();
  $(BOILERPLATE_ROLES).remove();
  // Site headers go; article headers (which often hold the h1) stay.
  $('header').filter((_, h) => $(h).parents('main, article, [role=main]').length === 0).remove();
  $('[class], [id]')
    .filter((_, el) => {
      const tag = (el as El).tagName.toLowerCase();
      if (tag === 'html' || tag === 'body' || tag === 'main' || tag === 'article') return false;
      return BOILERPLATE_NAME.test(`${$(el).attr('class') ?? ''} ${$(el).attr('id') ?? ''}`);
    })
    .remove();
}

/** Paragraphs and lists that are (almost) only links: tables of contents, pagers, "see also". */
function isLinkList($: CheerioAPI, el: El): boolean {
  const tag = el.tagName.toLowerCase();
  if (tag !== 'p' && tag !== 'ul' && tag !== 'ol') return false;
  const total = collapse($(el).text()).length;
  if (!total) return false;
  const linked = $(el)
    .find('a')
    .toArray()
    .reduce((n, a) => n + collapse($(a).text()).length, 0);
  return linked / total > 0.8;
}

function renderBlock($: CheerioAPI, el: El): string {
  switch (el.tagName.toLowerCase()) {
    case 'pre':
      return fence($, el);
    case 'ul':
    case 'ol':
      return renderList($, el, 0);
    case 'blockquote':
      return inlineText($, el)
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n');
    case 'dl':
      return $(el)
        .children('dt')
        .toArray()
        .map((dt) => `${inlineText($, dt as El)}: ${inlineText($, $(dt).next('dd').get(0) as El | undefined)}`)
        .join('\n');
    case 'table':
      return $(el)
        .find('tr')
        .toArray()
        .map((tr) => $(tr).children('th, td').toArray().map((c) => inlineText($, c as El)).join(' | '))
        .filter(Boolean)
        .join('\n');
    default:
      return inlineText($, el);
  }
}

function renderList($: CheerioAPI, list: El, depth: number): string {
  const ordered = list.tagName.toLowerCase() === 'ol';
  const indent = '  '.repeat(depth);
  return $(list)
    .children('li')
    .toArray()
    .map((li, i) => {
      const item = $(li).clone();
      item.find('ul, ol, pre').remove();
      const lines = [`${indent}${ordered ? `${i + 1}.` : '-'} ${collapse(item.text())}`];
      for (const child of $(li).find('pre, ul, ol').toArray() as El[]) {
        if ($(child).parentsUntil(li).filter('ul, ol, pre').length) continue; // only direct nesting
        lines.push(child.tagName.toLowerCase() === 'pre' ? fence($, child) : renderList($, child, depth + 1));
      }
      return lines.join('\n');
    })
    .join('\n');
}

function fence($: CheerioAPI, pre: El): string {
  const code = $(pre).text().replace(/\n+$/, '');
  if (!code.trim()) return '';
  const cls = `${$(pre).attr('class') ?? ''} ${$(pre).find('code').attr('class') ?? ''}`;
  const lang = /(?:language|lang)-([\w+-]{1,30})/.exec(cls)?.[1] ?? '';
  const ticks = code.includes('```') ? '````' : '```';
  return `${ticks}${lang}\n${code}\n${ticks}`;
}

function inlineText($: CheerioAPI, el: El | undefined): string {
  return el ? collapse($(el).text()) : '';
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Exposed for the ReDoS test. */
export const EXTRACT_PATTERNS = [BOILERPLATE_NAME, QUESTION, /(?:language|lang)-([\w+-]{1,30})/] as const;
