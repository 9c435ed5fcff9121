import type { ActionStep } from '@linkops/shared/contracts';
import { languageFromInfo, detectCodeLanguage } from './code-language.js';
import { splitFencedSegments } from './normalize.js';

/**
 * Imperative verbs that open an action step. Used to decide whether a comma list is a
 * list of actions ("Add X, update Y") or of things ("install kubectl, helm and kind"),
 * and by the quality score.
 */
export const ACTION_VERBS: ReadonlySet<string> = new Set(
  `add adjust allow annotate apply attach audit back backup block bootstrap build bump cache change check checkout clean
  clone commit compare configure give connect convert copy cordon create define delete deploy describe destroy disable drain
  edit emit enable encrypt ensure expose export extract fetch fix follow generate grant harden import increase inspect install
  keep label limit lint list lock log login mail make merge notify migrate monitor mount move open patch pin point promote protect
  pass provision prune publish pull push put query raise reapply rebuild redeploy reduce reference refactor register reload remove rename
  render replace restart restore restrict retag retry revert review revoke roll rollback rotate route run scale scan schedule
  scope seal select send set setup ship sign split start stop store switch sync tag taint test tighten trigger tune turn
  uncordon uninstall unpin update upgrade upload use validate verify version wait watch wire write`.split(/\s+/),
);

// Leading list markers: "1.", "1)", "(1)", "a)", "-", "*", "+", "•", "Step 1:", "[ ]".
const LIST_MARKER = /^\s{0,8}(?:(?:\d{1,3}|[a-z])[.)]\s+|\(\d{1,3}\)\s+|[-*+•]\s+(?:\[[ xX]\]\s+)?|step\s{1,3}\d{1,3}\s{0,3}[:.)-]\s*)/i;
// Sentence ends: ". " / "! " / "? " before an upper-case letter, backtick, quote or bracket.
const SENTENCE_BREAK = /(?<=[.!?])\s+(?=[A-Z`"'([])/;
// Sequencing connectives that always separate actions.
// Starts only after a non-space so runs of whitespace are not rescanned; parts are trimmed after.
const THEN_BREAK = /(?<!\s)(?:;|,?\s+and\s+then\b|,\s*then\b|\s+then\b)/i;

// "First, ...", "Then ...", "Finally ..." say order, which the step number already carries.
const SEQUENCING_ADVERB = /^(?:first(?:ly)?|then|next|finally|afterwards|after that|lastly|also|now),?\s+/i;

export function startsWithActionVerb(text: string): boolean {
  const first = /^[`"'(]?([A-Za-z]+)/.exec(text.trim().replace(SEQUENCING_ADVERB, ''))?.[1]?.toLowerCase();
  return first !== undefined && ACTION_VERBS.has(first);
}

/** Splits on commas that are not inside backticks, quotes, parentheses or brackets. */
function splitTopLevelCommas(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '`' || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim().replace(/^(?:and|or)\s+/i, '')).filter((p) => p !== '');
}

/**
 * A clause list becomes separate steps only when at least two of its parts start with
 * an action verb; verb-less parts in between inherit the verb before them
 * ("Add helm chart, ArgoCD app" -> "Add ArgoCD app").
 */
function splitActionList(sentence: string): string[] {
  const parts = splitTopLevelCommas(sentence);
  if (parts.length < 2 || parts.filter(startsWithActionVerb).length < 2) return [sentence];
  const out: string[] = [];
  let verb: string | undefined;
  for (const part of parts) {
    if (startsWithActionVerb(part)) {
      verb = /^[`"'(]?([A-Za-z]+)/.exec(part.replace(SEQUENCING_ADVERB, ''))?.[1];
      out.push(part);
    } else if (verb && part.split(/\s+/).length <= 8) out.push(`${verb} ${part}`);
    else out.push(part);
  }
  return out;
}

function cleanStepText(text: string): string {
  return text
    .replace(LIST_MARKER, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(SEQUENCING_ADVERB, '')
    .replace(/[.;,:]+$/, '')
    .trim();
}

function proseToSteps(prose: string): string[] {
  const steps: string[] = [];
  // Group lines into items: a list marker starts an item, plain lines continue it;
  // blank lines end it.
  const items: string[] = [];
  let current: string | null = null;
  for (const line of prose.split('\n')) {
    if (line.trim() === '') {
      if (current !== null) items.push(current);
      current = null;
    } else if (LIST_MARKER.test(line)) {
      if (current !== null) items.push(current);
      current = line;
    } else if (current !== null && LIST_MARKER.test(current)) {
      current += ` ${line.trim()}`;
    } else {
      current = current === null ? line : `${current}\n${line}`;
    }
  }
  if (current !== null) items.push(current);

  for (const item of items) {
    if (LIST_MARKER.test(item)) {
      // A list item is one step, whatever its punctuation.
      const text = cleanStepText(item);
      if (text) steps.push(text);
      continue;
    }
    for (const line of item.split('\n')) {
      for (const sentence of line.split(SENTENCE_BREAK)) {
        for (const clause of sentence.split(THEN_BREAK)) {
          for (const part of splitActionList(clause.trim())) {
            const text = cleanStepText(part);
            if (text) steps.push(text);
          }
        }
      }
    }
  }
  return steps;
}

function codeStepText(code: string, language: string): string {
  const firstLine =
    code
      .split('\n')
      .map((l) => l.trim().replace(/^\$\s+/, ''))
      .find((l) => l !== '' && !l.startsWith('#') && !l.startsWith('//')) ?? '';
  const shown = firstLine.length > 100 ? `${firstLine.slice(0, 97)}...` : firstLine;
  return language === 'bash' ? `Run \`${shown}\`` : `Apply the ${language === 'text' ? '' : `${language} `}snippet${shown ? ` (${shown})` : ''}`;
}

/**
 * Ordered action steps from an answer: list items, sentences, ";"/"then"-separated
 * clauses and comma-separated action lists each become a step; a fenced code block
 * becomes the code of the step introduced by a trailing ":" ("Apply this:"), or a
 * step of its own.
 */
export function splitSteps(answer: string): ActionStep[] {
  const steps: ActionStep[] = [];
  let lastProseEndedWithColon = false;
  for (const segment of splitFencedSegments(answer)) {
    if (segment.kind === 'prose') {
      const texts = proseToSteps(segment.text);
      for (const text of texts) steps.push({ order: steps.length + 1, text });
      lastProseEndedWithColon = texts.length > 0 && /:\s*$/.test(segment.text.trim());
      continue;
    }
    const code = segment.text.replace(/^\n+|\s+$/g, '');
    if (code.trim() === '') continue;
    const language = languageFromInfo(segment.info ?? '') ?? detectCodeLanguage(code);
    const previous = steps[steps.length - 1];
    if (lastProseEndedWithColon && previous && previous.code === undefined) {
      previous.code = code;
      previous.language = language;
    } else {
      steps.push({ order: steps.length + 1, text: codeStepText(code, language), code, language });
    }
    lastProseEndedWithColon = false;
  }
  return steps;
}

/** Every regex used here, for the ReDoS test. */
export const STEP_PATTERNS: readonly RegExp[] = [LIST_MARKER, SENTENCE_BREAK, THEN_BREAK, SEQUENCING_ADVERB];
