import { PATTERNS } from './patterns.js';

/**
 * A small shell-words splitter, enough for the rules: it splits a RUN line or a workflow `run:`
 * script into pipelines (separated by ;, &&, ||, newlines) of commands (separated by |), each a list
 * of words with quotes removed. It does not expand anything; subshells and heredocs stay as words.
 */
export interface ShellCommand {
  words: string[];
  /** 0-based line offset of the command's first word inside the script. */
  lineOffset: number;
}
export type Pipeline = ShellCommand[];

export function splitShell(script: string): Pipeline[] {
  const pipelines: Pipeline[] = [];
  let pipeline: Pipeline = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  let line = 0;
  let commandLine = 0;

  const endWord = () => {
    if (inWord) {
      if (words.length === 0) commandLine = line;
      words.push(word);
    }
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) pipeline.push({ words, lineOffset: commandLine });
    words = [];
  };
  const endPipeline = () => {
    endCommand();
    if (pipeline.length) pipelines.push(pipeline);
    pipeline = [];
  };

  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '\n') line++;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < script.length) { word += script[++i]; }
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; inWord = true; continue; }
    if (c === '\\') {
      if (script[i + 1] === '\n') { i++; line++; endWord(); continue; }
      if (i + 1 < script.length) { word += script[++i]; inWord = true; }
      continue;
    }
    if (c === '#' && !inWord) {
      // Comment to the end of the line.
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { endWord(); continue; }
    if (c === '\n' || c === ';') { endPipeline(); continue; }
    if (c === '&' && script[i + 1] === '&') { i++; endPipeline(); continue; }
    if (c === '|' && script[i + 1] === '|') { i++; endPipeline(); continue; }
    if (c === '|') { endCommand(); continue; }
    if (c === '&') { endPipeline(); continue; }
    if ((c === '(' || c === ')') && !inWord) { endPipeline(); continue; }
    word += c;
    inWord = true;
  }
  endPipeline();
  return pipelines;
}

export function allCommands(script: string): ShellCommand[] {
  return splitShell(script).flat();
}

/** Strips a leading `sudo`/`env`/VAR=value prefix so rules see the real program. */
export function programWords(words: string[]): string[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w === 'sudo' || w === 'env' || w === 'exec' || w === 'time' || w === 'nohup') { i++; continue; }
    if (PATTERNS.envAssignment.test(w)) { i++; continue; }
    if (i > 0 && words[i - 1] === 'sudo' && w.startsWith('-')) { i++; continue; }
    break;
  }
  return words.slice(i);
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'python', 'python3', 'perl', 'ruby', 'node']);
const DOWNLOADERS = new Set(['curl', 'wget']);

export function baseName(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash >= 0 ? program.slice(slash + 1) : program;
}

/** `curl … | sh` style: a download piped straight into an interpreter. Returns the offending pipeline's line offset. */
export function findDownloadPipedToShell(script: string): number[] {
  const hits: number[] = [];
  for (const pipeline of splitShell(script)) {
    for (let i = 0; i + 1 < pipeline.length; i++) {
      const from = programWords(pipeline[i]!.words)[0];
      const to = programWords(pipeline[i + 1]!.words)[0];
      if (from && to && DOWNLOADERS.has(baseName(from)) && SHELLS.has(baseName(to))) {
        hits.push(pipeline[i]!.lineOffset);
        break;
      }
    }
  }
  return hits;
}
