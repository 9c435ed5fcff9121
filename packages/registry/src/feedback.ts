import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { FeedbackSchema, type Feedback } from '@linkops/shared/contracts';

/** One agent report as recorded: the contract fields plus when it arrived. */
export interface FeedbackEvent extends Feedback {
  at: string;
  /** Set when recorded (older log lines lack it); lets a replica count an event it hears of twice only once. */
  id?: string;
}

export interface FeedbackTrend {
  /** Outcomes per window (last N vs the N before). */
  window: number;
  recent_uses: number;
  recent_rate: number | null;
  previous_uses: number;
  previous_rate: number | null;
  /** recent_rate - previous_rate, null when either window is empty. */
  delta: number | null;
  direction: 'improving' | 'declining' | 'steady' | 'insufficient';
}

export interface FeedbackSummary {
  artifact: string;
  /** Set when the summary covers a single version. */
  version?: string;
  uses: number;
  successes: number;
  failures: number;
  success_rate: number | null;
  /** Lower bound of the 95% Wilson score interval of the success rate (0 with no uses). */
  wilson_lower_bound: number;
  trend: FeedbackTrend;
  /** Most recent failure notes, newest last (context for a re-smith). */
  failure_notes: string[];
  last_at: string | null;
}

export interface FeedbackStatsOptions {
  /** N for the trend (last N vs previous N). */
  trendWindow?: number;
  /** Failure notes kept per artifact/version. */
  maxNotes?: number;
  /** |delta| below this counts as steady. */
  steadyBand?: number;
}

/**
 * Lower bound of the Wilson score interval: a success rate that is pessimistic for few uses, so
 * 1/1 does not outrank 95/100.
 */
export function wilsonLowerBound(successes: number, total: number, z = 1.96): number {
  if (total <= 0) return 0;
  const p = successes / total;
  const z2 = z * z;
  const centre = p + z2 / (2 * total);
  const margin = z * Math.sqrt((p * (1 - p) + z2 / (4 * total)) / total);
  return Math.max(0, (centre - margin) / (1 + z2 / total));
}

interface Tally {
  artifact: string;
  version?: string;
  successes: number;
  failures: number;
  /** Last 2N outcomes, oldest first (true = success). */
  recent: boolean[];
  notes: string[];
  lastAt: string | null;
}

/** Incremental feedback aggregation per artifact and per artifact version. Pure: no I/O. */
export class FeedbackStats {
  private readonly window: number;
  private readonly maxNotes: number;
  private readonly steadyBand: number;
  private readonly tallies = new Map<string, Tally>();
  private readonly seen = new Set<string>();

  constructor(events: Iterable<Feedback | FeedbackEvent> = [], opts: FeedbackStatsOptions = {}) {
    this.window = Math.max(1, opts.trendWindow ?? 20);
    this.maxNotes = Math.max(0, opts.maxNotes ?? 20);
    this.steadyBand = opts.steadyBand ?? 0.1;
    for (const e of events) this.add(e);
  }

  /** Counts an event; one with an id already counted is ignored. */
  add(event: Feedback | FeedbackEvent): void {
    const id = 'id' in event ? event.id : undefined;
    if (id !== undefined) {
      if (this.seen.has(id)) return;
      this.seen.add(id);
    }
    const at = 'at' in event ? event.at : null;
    for (const version of [undefined, event.version]) {
      const key = version === undefined ? event.artifact : `${event.artifact}@${version}`;
      let t = this.tallies.get(key);
      if (!t) {
        t = { artifact: event.artifact, successes: 0, failures: 0, recent: [], notes: [], lastAt: null };
        if (version !== undefined) t.version = version;
        this.tallies.set(key, t);
      }
      const ok = event.outcome === 'success';
      if (ok) t.successes++;
      else t.failures++;
      t.recent.push(ok);
      if (t.recent.length > 2 * this.window) t.recent.shift();
      if (!ok && event.notes && this.maxNotes > 0) {
        t.notes.push(event.notes);
        if (t.notes.length > this.maxNotes) t.notes.shift();
      }
      if (at) t.lastAt = at;
    }
  }

  /** Across all versions of the artifact. */
  forArtifact(artifact: string): FeedbackSummary {
    return this.summarize(this.tallies.get(artifact), artifact);
  }

  forVersion(artifact: string, version: string): FeedbackSummary {
    return this.summarize(this.tallies.get(`${artifact}@${version}`), artifact, version);
  }

  /** Wilson lower bound for search boosting (0 without feedback). */
  quality(artifact: string): number {
    // Called per document per search query: skip building the full summary.
    const t = this.tallies.get(artifact);
    return t ? wilsonLowerBound(t.successes, t.successes + t.failures) : 0;
  }

  /** Ids with any feedback. */
  artifacts(): string[] {
    return [...new Set([...this.tallies.values()].map((t) => t.artifact))];
  }

  private summarize(t: Tally | undefined, artifact: string, version?: string): FeedbackSummary {
    const successes = t?.successes ?? 0;
    const failures = t?.failures ?? 0;
    const uses = successes + failures;
    const summary: FeedbackSummary = {
      artifact,
      uses,
      successes,
      failures,
      success_rate: uses ? successes / uses : null,
      wilson_lower_bound: wilsonLowerBound(successes, uses),
      trend: this.trend(t?.recent ?? []),
      failure_notes: [...(t?.notes ?? [])],
      last_at: t?.lastAt ?? null,
    };
    if (version !== undefined) summary.version = version;
    return summary;
  }

  private trend(outcomes: boolean[]): FeedbackTrend {
    const recent = outcomes.slice(-this.window);
    const previous = outcomes.slice(-2 * this.window, -this.window);
    const rate = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : null);
    const recentRate = rate(recent);
    const previousRate = rate(previous);
    const delta = recentRate !== null && previousRate !== null ? recentRate - previousRate : null;
    let direction: FeedbackTrend['direction'] = 'insufficient';
    if (delta !== null) direction = delta > this.steadyBand ? 'improving' : delta < -this.steadyBand ? 'declining' : 'steady';
    return {
      window: this.window,
      recent_uses: recent.length,
      recent_rate: recentRate,
      previous_uses: previous.length,
      previous_rate: previousRate,
      delta,
      direction,
    };
  }
}

export interface ResmithPolicy {
  /** At least this many failures... */
  minFailures?: number;
  /** ...and a failure share of at least this. */
  failureRate?: number;
}

export interface ResmithDecision {
  resmith: boolean;
  reason: string;
  /** Failure notes to pass to smithing as feedback_context. */
  notes: string[];
}

/** Whether a version has failed often enough to be re-smithed, with the notes to send along. */
export function shouldResmith(stats: FeedbackSummary, policy: ResmithPolicy = {}): ResmithDecision {
  const minFailures = policy.minFailures ?? 3;
  const failureRate = policy.failureRate ?? 0.5;
  const rate = stats.uses ? stats.failures / stats.uses : 0;
  const label = stats.version ? `${stats.artifact}@${stats.version}` : stats.artifact;
  if (stats.failures < minFailures) {
    return { resmith: false, reason: `${label}: ${stats.failures} failure(s) < ${minFailures}`, notes: [] };
  }
  if (rate < failureRate) {
    return { resmith: false, reason: `${label}: failure rate ${rate.toFixed(2)} < ${failureRate}`, notes: [] };
  }
  return {
    resmith: true,
    reason: `${label}: ${stats.failures}/${stats.uses} failures (rate ${rate.toFixed(2)} >= ${failureRate})`,
    notes: [...new Set(stats.failure_notes.map((n) => n.trim()).filter(Boolean))],
  };
}

/**
 * Append-only JSONL of feedback events in `<dir>/feedback.jsonl`. One appendFile per event keeps
 * lines whole; a torn last line (crash mid-write) is skipped on read.
 */
export class FeedbackLog {
  readonly path: string;
  constructor(opts: { dir: string; now?: () => Date }) {
    this.path = join(opts.dir, 'feedback.jsonl');
    this.now = opts.now ?? (() => new Date());
  }
  private readonly now: () => Date;

  /** Validates against FeedbackSchema (throws ZodError) and appends. */
  async append(feedback: Feedback): Promise<FeedbackEvent> {
    const event: FeedbackEvent = { ...FeedbackSchema.parse(feedback), at: this.now().toISOString(), id: randomUUID() };
    await mkdir(join(this.path, '..'), { recursive: true });
    await appendFile(this.path, JSON.stringify(event) + '\n', 'utf8');
    return event;
  }

  async readAll(): Promise<FeedbackEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const events: FeedbackEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const raw = JSON.parse(line) as { at?: unknown; id?: unknown };
        const parsed = FeedbackSchema.safeParse(raw);
        if (parsed.success && typeof raw.at === 'string') {
          events.push(typeof raw.id === 'string' ? { ...parsed.data, at: raw.at, id: raw.id } : { ...parsed.data, at: raw.at });
        }
      } catch {
        /* torn or foreign line */
      }
    }
    return events;
  }

  async stats(opts?: FeedbackStatsOptions): Promise<FeedbackStats> {
    return new FeedbackStats(await this.readAll(), opts);
  }
}
