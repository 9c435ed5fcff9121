/**
 * Optional LLM draft (OpenAI-compatible /v1/chat/completions). The model only drafts TEXT — a description
 * and, when records carry no steps, step wording; automation still comes only from the snippet library and
 * everything is validated and enhanced as usual. Any failure returns an error and smithing stays deterministic.
 */
import { z } from 'zod';
import type { Artifact, SanitizedRecord } from '@linkops/shared/contracts';
import { smithWithChanges, type SmithDraft, type SmithResult } from './smith.js';

export interface LlmOptions {
  /** Base URL or full .../v1/chat/completions URL (WHIS_LLM_URL). */
  url: string;
  model: string;
  apiKey: string;
  timeoutMs?: number;
}

const MAX_RESPONSE_BYTES = 256 * 1024;
const DraftSchema = z.object({
  description: z.string().trim().min(1).max(2000).optional(),
  steps: z.array(z.string().trim().min(1).max(300)).max(30).optional(),
});

function endpoint(url: string): string {
  let trimmed = url;
  while (trimmed.endsWith('/')) trimmed = trimmed.slice(0, -1);
  if (trimmed.endsWith('/chat/completions')) return trimmed;
  return trimmed.endsWith('/v1') ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
}

/** The model's JSON may come fenced in ```json ... ```; take the outermost object. */
function extractJson(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in model reply');
  return JSON.parse(text.slice(start, end + 1));
}

export async function requestLlmDraft(records: SanitizedRecord[], llm: LlmOptions): Promise<{ draft?: SmithDraft; error?: string }> {
  const prompt = records
    .slice(0, 10)
    .map((r, i) => `Record ${i + 1}\nTask: ${r.task.slice(0, 2000)}\nAnswer: ${r.answer.slice(0, 4000)}`)
    .join('\n\n');
  try {
    const response = await fetch(endpoint(llm.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${llm.apiKey}` },
      body: JSON.stringify({
        model: llm.model,
        temperature: 0,
        messages: [
          {
            role: 'system',
            content:
              'You write documentation for DevOps automation. Reply with JSON only: {"description": string (<= 600 chars), "steps": string[] (short imperative steps)}. Do not invent steps that the records do not state.',
          },
          { role: 'user', content: prompt },
        ],
      }),
      signal: AbortSignal.timeout(llm.timeoutMs ?? 30_000),
    });
    if (!response.ok) return { error: `LLM HTTP ${response.status}` };
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) return { error: 'LLM reply too large' };
    const content = (JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    if (typeof content !== 'string') return { error: 'LLM reply without message content' };
    const draft = DraftSchema.safeParse(extractJson(content));
    if (!draft.success) return { error: `LLM draft invalid: ${draft.error.issues[0]?.message ?? 'shape'}` };
    return { draft: { ...draft.data, model: llm.model } };
  } catch (error) {
    return { error: `LLM request failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** smithArtifacts with an LLM-drafted description when `llm` is given; falls back to deterministic output. */
export async function smithWithLlm(
  records: SanitizedRecord[],
  previous: { orb?: Artifact; rune?: Artifact } | undefined,
  llm: LlmOptions | undefined,
): Promise<SmithResult & { llm_error?: string }> {
  if (!llm) return smithWithChanges(records, previous);
  const { draft, error } = await requestLlmDraft(records, llm);
  return { ...smithWithChanges(records, previous, draft ? { draft } : {}), ...(error ? { llm_error: error } : {}) };
}
