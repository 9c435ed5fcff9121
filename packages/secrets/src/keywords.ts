import {
  createKernel,
  LONG_BITS_OFFSET,
  LONG_TAIL,
  SEGMENT,
  SHORT,
  TABLE_MASK,
  tableIndex,
  TAIL_OFFSET,
  TEXT_OFFSET,
  type CandidateKernel,
} from './keyword-kernel.js';
import { COMMON_TRIGRAMS } from './trigram-frequency.js';

/**
 * Multi-keyword prefilter: every case-insensitive occurrence of a set of ASCII keywords in a text, in one pass.
 *
 * Why not a regex alternation: V8 runs a ~450-literal alternation at ~12 MB/s. Why not lowercasing plus bigram
 * lookups (the previous design): lowercasing and common bigrams ("co", "da", "pa") cost more than the search.
 *
 * How: each keyword of 4+ chars is anchored on its rarest four characters (judged by trigram frequencies of
 * typical source text); 2- and 3-char keywords are anchored whole. The text is written as latin1 (one byte per
 * UTF-16 unit, so offsets do not move) into the kernel's memory, and the kernel (keyword-kernel.ts) reports the
 * positions where a rolling window of the last four bytes, 7 bits each and case-folded through the tables, may end
 * an anchor. About one position in a hundred is reported; there each keyword anchored at that window is compared
 * with the text itself, so bytes that alias onto ASCII (non-Latin-1 chars) never produce a hit.
 */

const TRIGRAM_FREQUENCY = new Map<string, number>(COMMON_TRIGRAMS);

/** Occurrences per million characters of typical source text; trigrams outside the table are rarer than all in it. */
function trigramFrequency(trigram: string): number {
  return TRIGRAM_FREQUENCY.get(trigram) ?? 0.5;
}

/**
 * Expected cost of anchoring on `four`: every occurrence of its last three chars costs a table probe,
 * every occurrence of the whole anchor a comparison (bounded by its first three chars' frequency).
 */
function anchorCost(four: string): number {
  return trigramFrequency(four.slice(1)) + 0.25 * trigramFrequency(four.slice(0, 3));
}

function foldAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Both cases of an ASCII letter, else the byte itself. */
function caseVariants(code: number): number[] {
  return code >= 97 && code <= 122 ? [code, code - 32] : [code];
}

export class KeywordIndex {
  readonly keywords: readonly string[];
  /**
   * tableIndex(4-byte window) -> slot, for keywords of 4+ chars, anchored on 4 of them. Maps, not 2^21-entry
   * arrays: they are read only at candidates, and an engine per rule (the vector tests) stays small.
   */
  private readonly longSlotOf = new Map<number, number>();
  /** Last 3 bytes of the window -> slot, for 2- and 3-char keywords (a hash of 4 bytes cannot ignore one). */
  private readonly shortSlotOf = new Map<number, number>();
  /** Runs the byte loop; holds the tail table and long bitmap in its memory. */
  private readonly kernel: CandidateKernel;
  /**
   * Stage one, indexed directly by the last three bytes: LONG_TAIL when some 4-byte anchor ends with them,
   * SHORT when a short keyword does. Stage two for LONG_TAIL: the bit of tableIndex(window) in longBits.
   */
  private readonly tail: Uint8Array;
  private readonly longBits: Uint8Array;
  private readonly text: Uint8Array;
  /** Writes latin1 text into the kernel's text segment. */
  private readonly textWriter: Buffer;
  /** Slot s owns entries [slotStart[s], slotStart[s + 1]). */
  private readonly slotStart: Int32Array;
  private readonly entryKeyword: Int32Array;
  /** Distance from the keyword's start to the window's last byte. */
  private readonly entryBack: Int32Array;

  constructor(keywords: readonly string[]) {
    this.keywords = [...keywords];
    this.kernel = createKernel();
    const mem = this.kernel.memory;
    this.tail = mem.subarray(TAIL_OFFSET, TAIL_OFFSET + TABLE_MASK + 1);
    this.longBits = mem.subarray(LONG_BITS_OFFSET, LONG_BITS_OFFSET + ((TABLE_MASK + 1) >>> 3));
    this.text = mem.subarray(TEXT_OFFSET, TEXT_OFFSET + SEGMENT + 3);
    this.textWriter = Buffer.from(mem.buffer, mem.byteOffset + TEXT_OFFSET, SEGMENT + 3);
    type Entry = { keyword: number; back: number };
    const longCells = new Map<number, Entry[]>();
    const shortCells = new Map<number, Entry[]>();
    const add = (cells: Map<number, Entry[]>, index: number, keyword: number, back: number) => {
      let list = cells.get(index);
      if (!list) cells.set(index, (list = []));
      if (!list.some((e) => e.keyword === keyword && e.back === back)) list.push({ keyword, back });
    };
    const windowsOf = (chars: string, padding: number): number[] => {
      let windows = [0];
      for (let p = 0; p < padding; p++) windows = windows.flatMap((w) => Array.from({ length: 128 }, (_, x) => (w << 7) | x));
      for (const ch of chars) windows = windows.flatMap((w) => caseVariants(ch.charCodeAt(0)).map((c) => (w << 7) | c));
      return windows;
    };
    const longWindows: number[] = [];
    this.keywords.forEach((kw, id) => {
      if (kw.length < 2) throw new Error(`keyword too short: ${JSON.stringify(kw)}`);
      if (!/^[\x20-\x7e]+$/.test(kw) || kw !== kw.toLowerCase()) {
        throw new Error(`keyword must be lowercase printable ASCII: ${JSON.stringify(kw)}`);
      }
      if (kw.length < 4) {
        // Any byte before a two-char keyword (0 stands for "before the text").
        for (const w of windowsOf(kw, 3 - kw.length)) add(shortCells, w, id, kw.length - 1);
        return;
      }
      let best = 0;
      for (let o = 1; o + 4 <= kw.length; o++) {
        if (anchorCost(kw.slice(o, o + 4)) < anchorCost(kw.slice(best, best + 4))) best = o;
      }
      for (const w of windowsOf(kw.slice(best, best + 4), 0)) {
        add(longCells, tableIndex(w), id, best + 3);
        longWindows.push(w);
      }
    });

    // Cells with the same entry list share a slot (a two-char keyword fills 512 cells).
    const slotIds = new Map<string, number>();
    const slotLists: Entry[][] = [];
    const assign = (cells: Map<number, Entry[]>, table: Map<number, number>) => {
      for (const [index, list] of cells) {
        list.sort((x, y) => x.keyword - y.keyword || x.back - y.back);
        const key = list.map((e) => `${e.keyword}:${e.back}`).join(',');
        let slot = slotIds.get(key);
        if (slot === undefined) {
          slot = slotLists.length;
          slotIds.set(key, slot);
          slotLists.push(list);
        }
        table.set(index, slot);
      }
    };
    assign(longCells, this.longSlotOf);
    assign(shortCells, this.shortSlotOf);
    for (const w of longWindows) {
      const index = tableIndex(w);
      this.longBits[index >>> 3]! |= 1 << (index & 7);
      this.tail[w & TABLE_MASK]! |= LONG_TAIL;
    }
    for (const index of shortCells.keys()) this.tail[index]! |= SHORT;
    this.slotStart = new Int32Array(slotLists.length + 1);
    const total = slotLists.reduce((n, l) => n + l.length, 0);
    this.entryKeyword = new Int32Array(total);
    this.entryBack = new Int32Array(total);
    let e = 0;
    slotLists.forEach((list, slot) => {
      this.slotStart[slot] = e;
      for (const entry of list) {
        this.entryKeyword[e] = entry.keyword;
        this.entryBack[e] = entry.back;
        e++;
      }
    });
    this.slotStart[slotLists.length] = e;
  }

  /**
   * Appends every occurrence to `starts` / `ids` (offset of the keyword in `text`, index into `keywords`).
   * Occurrences come in order of where they end (their anchor's end); a keyword never spans a newline,
   * so hits on one line all come before hits on the next.
   */
  find(text: string, starts: number[], ids: number[]): void {
    const bytes = this.text;
    const out = this.kernel.out;
    // Segments overlap by 3 bytes so windows spanning a boundary are complete; positions in the overlap
    // were reported by the previous segment.
    for (let segment = 0; segment < text.length; segment += SEGMENT) {
      const from = segment === 0 ? 0 : segment - 3;
      const to = Math.min(text.length, segment + SEGMENT);
      const n = to - from;
      this.textWriter.write(from === 0 && to === text.length ? text : text.slice(from, to), 0, n, 'latin1');
      const count = this.kernel.scan(n);
      for (let c = 0; c < count; c++) {
        const i = out[c]!;
        if (i < segment - from) continue;
        let window = bytes[i]! & 0x7f;
        if (i >= 1) window |= (bytes[i - 1]! & 0x7f) << 7;
        if (i >= 2) window |= (bytes[i - 2]! & 0x7f) << 14;
        if (i >= 3) window |= (bytes[i - 3]! & 0x7f) << 21;
        const kind = this.tail[window & TABLE_MASK]!;
        if (kind & SHORT) this.verify(text, this.shortSlotOf.get(window & TABLE_MASK)!, from + i, starts, ids);
        if (kind & LONG_TAIL) {
          const slot = this.longSlotOf.get(tableIndex(window));
          if (slot !== undefined) this.verify(text, slot, from + i, starts, ids);
        }
      }
    }
  }

  /** Which implementation runs the byte loop (for benchmarks and diagnostics). */
  get kernelKind(): 'wasm' | 'js' {
    return this.kernel.kind;
  }

  private verify(text: string, slot: number, end: number, starts: number[], ids: number[]): void {
    for (let e = this.slotStart[slot]!, stop = this.slotStart[slot + 1]!; e < stop; e++) {
      const id = this.entryKeyword[e]!;
      const kw = this.keywords[id]!;
      const start = end - this.entryBack[e]!;
      if (start < 0 || start + kw.length > text.length) continue;
      let j = 0;
      while (j < kw.length && foldAscii(text.charCodeAt(start + j)) === kw.charCodeAt(j)) j++;
      if (j === kw.length) {
        starts.push(start);
        ids.push(id);
      }
    }
  }
}
