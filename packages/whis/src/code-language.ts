/** Languages detectCodeLanguage can name; 'text' when nothing is recognisable. */
export const CODE_LANGUAGES = ['bash', 'yaml', 'python', 'js', 'ts', 'go', 'dockerfile', 'hcl', 'json'] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number] | 'text';

/** Fence info strings people actually write, mapped onto our language names. */
const LANGUAGE_ALIASES: Record<string, CodeLanguage> = {
  bash: 'bash', sh: 'bash', shell: 'bash', zsh: 'bash', console: 'bash', shellsession: 'bash', terminal: 'bash',
  yaml: 'yaml', yml: 'yaml',
  python: 'python', py: 'python', python3: 'python',
  js: 'js', javascript: 'js', node: 'js', mjs: 'js', cjs: 'js', jsx: 'js',
  ts: 'ts', typescript: 'ts', tsx: 'ts',
  go: 'go', golang: 'go',
  dockerfile: 'dockerfile', docker: 'dockerfile', containerfile: 'dockerfile',
  hcl: 'hcl', terraform: 'hcl', tf: 'hcl', tfvars: 'hcl',
  json: 'json', jsonc: 'json',
};

/** Maps a fence info string ("```yml title=x") onto a CodeLanguage, or undefined if unknown. */
export function languageFromInfo(info: string): CodeLanguage | undefined {
  const word = info.trim().split(/[\s{,]/)[0]?.toLowerCase().replace(/^language-/, '') ?? '';
  return LANGUAGE_ALIASES[word];
}

interface LanguageSignal {
  language: Exclude<CodeLanguage, 'text'>;
  pattern: RegExp;
  weight: number;
}

// Per-line signals. Each matching line adds its weight; the best total wins.
// Anchored, bounded patterns only (they are ReDoS-checked in the tests).
const LINE_SIGNALS: LanguageSignal[] = [
  { language: 'dockerfile', pattern: /^FROM\s+[\w./:@${}-]+(\s+AS\s+\w+)?\s*$/i, weight: 5 },
  { language: 'dockerfile', pattern: /^(RUN|COPY|ADD|WORKDIR|ENTRYPOINT|CMD|EXPOSE|ENV|ARG|USER|HEALTHCHECK|LABEL|VOLUME)\s/, weight: 2 },
  { language: 'hcl', pattern: /^(resource|data|module|provider|variable|output)\s+"[\w-]+"(\s+"[\w-]+")?\s*\{/, weight: 5 },
  { language: 'hcl', pattern: /^(terraform|locals)\s*\{/, weight: 5 },
  { language: 'hcl', pattern: /^\s*[\w-]+\s*=\s*(var|local|module|data)\.\w/, weight: 3 },
  { language: 'go', pattern: /^package\s+\w+\s*$/, weight: 5 },
  { language: 'go', pattern: /^func\s+(\([^)]{0,80}\)\s*)?\w+\(/, weight: 4 },
  { language: 'go', pattern: /\w\s*:=\s*\S/, weight: 1.5 },
  { language: 'go', pattern: /\b(fmt|http|os|log)\.[A-Z]\w*\(/, weight: 2 },
  { language: 'python', pattern: /^(async\s+)?def\s+\w+\s*\(/, weight: 4 },
  { language: 'python', pattern: /^(from\s+[\w.]+\s+import\s+\w|import\s+[\w.]+(\s+as\s+\w+)?\s*$)/, weight: 3 },
  { language: 'python', pattern: /^if\s+__name__\s*==/, weight: 5 },
  { language: 'python', pattern: /^\s*(elif|except|with|for)\b[^;{]{0,200}:\s*$/, weight: 2 },
  { language: 'python', pattern: /\bprint\(|\bself\.\w/, weight: 1.5 },
  { language: 'ts', pattern: /^(export\s+)?(interface|type|enum)\s+\w+/, weight: 4 },
  { language: 'ts', pattern: /\w\s*:\s*(string|number|boolean|unknown|void|Promise<)/, weight: 3 },
  { language: 'ts', pattern: /\bas\s+const\b|\bimport\s+type\b/, weight: 3 },
  { language: 'js', pattern: /^(export\s+)?(const|let|var)\s+\w+\s*=/, weight: 2 },
  { language: 'js', pattern: /\brequire\(['"]|module\.exports|console\.log\(/, weight: 3 },
  { language: 'js', pattern: /=>\s*[{(\w]|^(export\s+)?(async\s+)?function\s+\w+\s*\(/, weight: 2 },
  { language: 'js', pattern: /^import\b[^'"\n]{0,200}\bfrom\s*['"]/, weight: 2 },
  { language: 'yaml', pattern: /^(apiVersion|kind|metadata|spec|jobs|on|steps|services|stages|image|replicaCount|values|dependencies):(\s|$)/, weight: 3 },
  { language: 'yaml', pattern: /^[ \t]*(?:-[ \t]+)?[\w.-]+:(?:[ \t]+\S.*)?$/, weight: 1 },
  { language: 'yaml', pattern: /^\s*-\s+(name|uses|run|with):\s/, weight: 2 },
  { language: 'bash', pattern: /^#!\/(usr\/)?bin\/(env\s+)?(ba|z)?sh/, weight: 6 },
  { language: 'bash', pattern: /^\s*\$\s+\w/, weight: 3 },
  {
    language: 'bash',
    pattern:
      /^\s*(sudo\s+)?(kubectl|helm|docker|podman|git|npm|npx|pnpm|yarn|pip3?|apt-get|apt|yum|dnf|brew|curl|wget|aws|gcloud|az|terraform|tofu|argocd|flux|make|cd|ls|cat|echo|export|chmod|chown|mkdir|rm|cp|mv|systemctl|journalctl|ssh|scp|tar|grep|sed|awk|jq|yq|kustomize|kind|minikube|eksctl|gh|trivy|cosign|vault|go|python3?|node|openssl|dvc|mlflow|ansible-playbook|psql|redis-cli|nc|dig|nslookup|source|set|unset|tee|xargs|find)\b/,
    weight: 2,
  },
  { language: 'bash', pattern: /\s(&&|\|\|)\s|\s\|\s\w|\$\{?\w+\}?|\s\\$/, weight: 1 },
];

/**
 * Best-effort language of a code snippet, from per-line signals. Whole-snippet
 * JSON is checked first because it is unambiguous when it parses.
 */
export function detectCodeLanguage(code: string): CodeLanguage {
  const trimmed = code.trim();
  if (trimmed === '') return 'text';
  if (/^[[{]/.test(trimmed)) {
    try {
      JSON.parse(trimmed);
      return 'json';
    } catch {
      // not JSON; fall through to the line signals
    }
  }
  const scores = new Map<CodeLanguage, number>();
  for (const line of trimmed.split('\n').slice(0, 200)) {
    if (line.trim() === '' || line.length > 1000) continue;
    for (const signal of LINE_SIGNALS) {
      if (signal.pattern.test(line)) scores.set(signal.language, (scores.get(signal.language) ?? 0) + signal.weight);
    }
  }
  // TypeScript is a superset of JS: JS signals count towards TS once TS-only syntax is present.
  const ts = scores.get('ts') ?? 0;
  if (ts > 0) scores.set('ts', ts + (scores.get('js') ?? 0));
  let best: CodeLanguage = 'text';
  let bestScore = 1; // a single weak line is not enough to name a language
  for (const [language, score] of scores) {
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

/** Every regex used here, for the ReDoS test. */
export const CODE_LANGUAGE_PATTERNS: readonly RegExp[] = LINE_SIGNALS.map((s) => s.pattern);
