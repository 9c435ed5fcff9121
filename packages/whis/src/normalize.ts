import { Parser } from 'htmlparser2';
import type { Submission, TrainingRecord } from '@linkops/shared/contracts';
import { contentHash, newRecordId } from './ids.js';
import { detectCodeLanguage, languageFromInfo, type CodeLanguage } from './code-language.js';

export interface TextSegment {
  kind: 'prose' | 'code';
  text: string;
  /** Fence info string as written (code segments only). */
  info?: string;
}

export interface CodeBlock {
  language: CodeLanguage;
  code: string;
}

const FENCE_LINE = /^(```|~~~)(.*)$/;

/**
 * A fence line's marker and info word, or null. Backtick fences may not have backticks in their info.
 * The line is trimmed first, as normalization trims prose lines: a fence indented by a tab, four spaces or
 * U+2028 is still a fence, else it would become one on a second pass (normalizeText must be idempotent).
 */
function parseFenceLine(line: string): { marker: string; info: string; rest: string } | null {
  const m = FENCE_LINE.exec(line.trim());
  if (!m) return null;
  // Longer fences (````) are counted in code: `{3,} followed by .* would backtrack.
  let marker = m[1] ?? '```';
  let rest = m[2] ?? '';
  while (rest[0] === marker[0]) {
    marker += rest[0];
    rest = rest.slice(1);
  }
  if (marker.startsWith('`') && rest.includes('`')) return null;
  return { marker, info: rest.trim().split(/\s/)[0] ?? '', rest };
}

/**
 * Splits markdown-ish text into prose and fenced code segments. An unclosed
 * fence runs to the end of the text (it is closed when re-rendered).
 */
export function splitFencedSegments(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let prose: string[] = [];
  let code: string[] | null = null;
  let fence = '';
  let info = '';
  const flushProse = (): void => {
    if (prose.length > 0) segments.push({ kind: 'prose', text: prose.join('\n') });
    prose = [];
  };
  for (const line of text.split('\n')) {
    const m = parseFenceLine(line);
    if (code === null) {
      if (m) {
        flushProse();
        code = [];
        fence = m.marker;
        info = m.info;
      } else {
        prose.push(line);
      }
    } else if (m && m.marker[0] === fence[0] && m.marker.length >= fence.length && m.rest.trim() === '') {
      segments.push({ kind: 'code', text: code.join('\n'), info });
      code = null;
    } else {
      code.push(line);
    }
  }
  if (code !== null) segments.push({ kind: 'code', text: code.join('\n'), info });
  flushProse();
  return segments;
}

/** Fenced code blocks of (normalized) text with their declared or detected language. */
export function extractCodeBlocks(text: string): CodeBlock[] {
  return splitFencedSegments(text)
    .filter((s) => s.kind === 'code')
    .map((s) => ({ language: languageFromInfo(s.info ?? '') ?? detectCodeLanguage(s.text), code: s.text }));
}

// Only real HTML element names trigger HTML stripping, so shell placeholders
// like `<pod-name>` or generics like `Array<string>` in plain text are left alone.
const HTML_TAGS = new Set(
  'a abbr article aside b blockquote body br center code dd del div dl dt em font footer h1 h2 h3 h4 h5 h6 head header hr html i iframe img ins kbd label li link main meta nav noscript ol p pre s section small span strike strong style sub sup table tbody td template tfoot th thead title tr tt u ul'.split(
    ' ',
  ),
);
const HTML_TAG_PROBE =
  /<\/?(?:a|b|br|blockquote|code|div|em|h[1-6]|hr|i|img|kbd|li|ol|p|pre|script|span|strong|style|table|td|th|tr|ul)(?:[ \t][^<>\n]{0,500})?\/?>/i;
const DROPPED_CONTENT_TAGS = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'iframe']);
const BLOCK_TAGS = new Set(
  'p div br h1 h2 h3 h4 h5 h6 ul ol table tr blockquote hr section article header footer main nav dl dt dd'.split(' '),
);

export function looksLikeHtml(text: string): boolean {
  return HTML_TAG_PROBE.test(text);
}

/**
 * Strips HTML tags while keeping text. <pre> becomes a fenced block (language
 * taken from a language-* class when present), inline <code> becomes `code`,
 * list items become "- " lines, script/style content is dropped. Tags that are
 * not HTML elements are re-emitted verbatim.
 */
export function stripHtml(html: string): string {
  const out: string[] = [];
  let dropDepth = 0;
  let preDepth = 0;
  let inlineCodeDepth = 0;
  const parser: Parser = new Parser(
    {
      onopentag(name, attribs) {
        if (!HTML_TAGS.has(name) && !DROPPED_CONTENT_TAGS.has(name)) {
          out.push(html.slice(parser.startIndex, parser.endIndex + 1));
          return;
        }
        if (DROPPED_CONTENT_TAGS.has(name)) dropDepth++;
        else if (name === 'pre') {
          preDepth++;
          const lang = /(?:^|\s)(?:language|lang)-([\w+-]+)/.exec(attribs['class'] ?? '')?.[1] ?? '';
          out.push(`\n\`\`\`${lang}\n`);
        } else if (name === 'code') {
          if (preDepth > 0) {
            // <pre><code class="language-x">: move the language onto the fence just opened
            const lang = /(?:^|\s)(?:language|lang)-([\w+-]+)/.exec(attribs['class'] ?? '')?.[1];
            const last = out.length - 1;
            if (lang && out[last] === '\n```\n') out[last] = `\n\`\`\`${lang}\n`;
          } else {
            inlineCodeDepth++;
            out.push('`');
          }
        } else if (name === 'li') out.push('\n- ');
        else if (BLOCK_TAGS.has(name)) out.push('\n');
      },
      ontext(text) {
        // Only <pre> keeps its line breaks; inline <code> is inline, so a newline in it is a space (as in
        // Markdown code spans), else a second normalization would join the lines and change the text.
        if (dropDepth === 0) out.push(preDepth > 0 ? text : text.replace(/\n/g, ' '));
      },
      onclosetag(name, isImplied) {
        if (!HTML_TAGS.has(name) && !DROPPED_CONTENT_TAGS.has(name)) {
          if (!isImplied) out.push(html.slice(parser.startIndex, parser.endIndex + 1));
          return;
        }
        if (DROPPED_CONTENT_TAGS.has(name)) dropDepth = Math.max(0, dropDepth - 1);
        else if (name === 'pre') {
          preDepth = Math.max(0, preDepth - 1);
          out.push('\n```\n');
        } else if (name === 'code') {
          if (preDepth === 0 && inlineCodeDepth > 0) {
            inlineCodeDepth--;
            out.push('`');
          }
        } else if (BLOCK_TAGS.has(name)) out.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return out.join('');
}

// Invisible characters that only get in the way (zero-width, BOM, soft hyphen).
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
// Unicode spaces (NBSP, thin, ideographic, ...) that should be plain spaces.
const ODD_SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

function normalizeProse(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v]+/g, ' ').trim())
    .join('\n');
}

function normalizeCode(code: string): string {
  const lines = code.split('\n').map((line) => line.replace(/[ \t]+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

/**
 * Canonical text for the pipeline: Unicode NFC, line endings and odd spaces
 * normalized, prose whitespace collapsed (code indentation kept), HTML stripped
 * (text of code/pre kept, as fenced blocks), unclosed code fences closed and
 * unlabelled fences labelled with the detected language.
 */
export function normalizeText(text: string): string {
  let t = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(INVISIBLE, '').replace(ODD_SPACES, ' ');
  // HTML is stripped from prose only: code inside fences may legitimately contain tags.
  t = splitFencedSegments(t)
    .map((s) => (s.kind === 'code' ? `\`\`\`${s.info ?? ''}\n${s.text}\n\`\`\`` : looksLikeHtml(s.text) ? stripHtml(s.text) : s.text))
    .join('\n');
  const rendered = splitFencedSegments(t).map((s) => {
    if (s.kind === 'prose') return normalizeProse(s.text);
    const code = normalizeCode(s.text);
    const info = (s.info ?? '').trim() || detectCodeLanguage(code);
    return `\n\`\`\`${info === 'text' ? '' : info}\n${code}\n\`\`\`\n`;
  });
  return rendered
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Light normalization used at intake (the dataset keeps the submitter's text, minus encoding noise). */
function intakeText(text: string): string {
  return text.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/**
 * A validated Submission as a TrainingRecord: `answer | solution` becomes
 * `answer`, tags are trimmed/lowercased/deduplicated, and the record gets a
 * sortable id and a content hash over the normalized task and answer.
 */
export function normalizeSubmission(sub: Submission, now: Date): TrainingRecord {
  const task = intakeText(sub.task);
  const answer = intakeText(sub.answer ?? sub.solution ?? '');
  const tags = [...new Set((sub.tags ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))];
  const record: TrainingRecord = {
    id: newRecordId(now),
    content_hash: contentHash(task, answer),
    received_at: now.toISOString(),
    task,
    answer,
    tags,
    source: sub.source ?? 'human',
  };
  if (sub.domain !== undefined) record.domain = sub.domain;
  if (sub.confidence !== undefined) record.confidence = sub.confidence;
  if (sub.author !== undefined) record.author = sub.author;
  if (sub.source_url !== undefined) record.source_url = sub.source_url;
  if (sub.metadata !== undefined) record.metadata = sub.metadata;
  return record;
}

/** Every regex used here, for the ReDoS test. */
export const NORMALIZE_PATTERNS: readonly RegExp[] = [FENCE_LINE, HTML_TAG_PROBE, INVISIBLE, ODD_SPACES];
