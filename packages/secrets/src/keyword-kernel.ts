/**
 * The keyword prefilter's inner loop as a 150-byte WebAssembly function, with a JavaScript twin.
 *
 * Why WebAssembly: the loop reads every byte of every scanned file. In JavaScript it costs ~2 ns per byte
 * (bounds checks on two typed arrays per iteration); compiled WebAssembly over linear memory runs it several
 * times faster, and this loop was most of a secret scan. The module is assembled here from commented
 * opcodes rather than shipped as a binary, so it can be read and changed without a toolchain.
 *
 * What it does, for text bytes t[0..n): keep a rolling window w of the last four bytes (7 bits each); at each
 * position, look up the last three bytes in the tail table. A tail byte with SHORT set is a candidate; one with
 * LONG_TAIL set is a candidate when the long bitmap has the bit of hash(w). Candidate positions are written to
 * the output array; the caller checks them against the keywords.
 */

/** Memory layout (bytes). The memory never grows, so typed-array views on it stay valid. */
export const TABLE_BITS = 21;
export const TAIL_OFFSET = 0; // Uint8 tail table, 2^21 entries
export const LONG_BITS_OFFSET = 1 << TABLE_BITS; // bitmap of 2^21 bits, byte h >> 3, bit h & 7
export const TEXT_OFFSET = LONG_BITS_OFFSET + (1 << (TABLE_BITS - 3));
/** Text is fed in segments of at most this many bytes (plus 3 bytes of overlap). */
export const SEGMENT = 256 * 1024;
export const OUT_OFFSET = TEXT_OFFSET + SEGMENT + 64;
const MEMORY_BYTES = OUT_OFFSET + 4 * (SEGMENT + 64);
const PAGES = Math.ceil(MEMORY_BYTES / 65536);

export const WINDOW_MASK = 0xfffffff;
export const TABLE_MASK = (1 << TABLE_BITS) - 1;
export const LONG_TAIL = 1;
export const SHORT = 2;

/** Folds the 28-bit window into the 21-bit long table; colliding anchors share a slot, so this only costs checks. */
export function tableIndex(window: number): number {
  return (window ^ (window >>> 10)) & TABLE_MASK;
}

export interface CandidateKernel {
  /** Bytes of linear memory: tables at their offsets, the text segment at TEXT_OFFSET. */
  readonly memory: Uint8Array;
  /** Scans memory[TEXT_OFFSET, TEXT_OFFSET + n) and returns how many positions it wrote to `out`. */
  scan(n: number): number;
  /** Candidate positions (relative to TEXT_OFFSET), valid up to the count scan() returned. */
  readonly out: Int32Array;
  readonly kind: 'wasm' | 'js';
}

/** The reference implementation: same contract, plain JavaScript. Used without WebAssembly and by the tests. */
export function createJsKernel(): CandidateKernel {
  const memory = new Uint8Array(PAGES * 65536);
  const out = new Int32Array(memory.buffer, OUT_OFFSET, SEGMENT + 64);
  return {
    memory,
    out,
    kind: 'js',
    scan(n: number): number {
      let w = 0;
      let count = 0;
      for (let i = 0; i < n; i++) {
        w = ((w << 7) | (memory[TEXT_OFFSET + i]! & 0x7f)) & WINDOW_MASK;
        const kind = memory[TAIL_OFFSET + (w & TABLE_MASK)]!;
        if (kind === 0) continue;
        if ((kind & SHORT) === 0) {
          const h = tableIndex(w);
          if (((memory[LONG_BITS_OFFSET + (h >>> 3)]! >>> (h & 7)) & 1) === 0) continue;
        }
        out[count++] = i;
      }
      return count;
    },
  };
}

// --- WebAssembly assembly -------------------------------------------------------------------------------

const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br_if: 0x0d,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i32_load8_u: 0x2d, i32_store: 0x36, i32_const: 0x41,
  i32_eqz: 0x45, i32_lt_u: 0x49, i32_add: 0x6a, i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74,
  i32_shr_u: 0x76,
} as const;
const VOID = 0x40;
const I32 = 0x7f;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

/** Locals of scan(n): 0 = n (param), 1 = i, 2 = w, 3 = kind, 4 = count, 5 = h. */
const [N, I, W, KIND, COUNT, H] = [0, 1, 2, 3, 4, 5];
const get = (l: number) => [OP.local_get, l];
const set = (l: number) => [OP.local_set, l];
const tee = (l: number) => [OP.local_tee, l];
const constant = (v: number) => [OP.i32_const, ...sleb(v | 0)];
/** memarg: alignment exponent, then a constant offset added to the address. */
const load8 = (offset: number) => [OP.i32_load8_u, 0, ...uleb(offset)];

const SCAN_BODY: number[] = [
  OP.block, VOID,
  ...get(N), OP.i32_eqz, OP.br_if, 0, // nothing to scan
  OP.loop, VOID,
  // w = ((w << 7) | (text[i] & 0x7f)) & WINDOW_MASK
  ...get(W), ...constant(7), OP.i32_shl,
  ...get(I), ...load8(TEXT_OFFSET), ...constant(0x7f), OP.i32_and,
  OP.i32_or, ...constant(WINDOW_MASK), OP.i32_and, ...tee(W),
  // kind = tail[w & TABLE_MASK]
  ...constant(TABLE_MASK), OP.i32_and, ...load8(TAIL_OFFSET), ...tee(KIND),
  OP.if, VOID,
  // candidate = kind & SHORT ? 1 : long bit of tableIndex(w)
  ...get(KIND), ...constant(SHORT), OP.i32_and,
  OP.if, I32,
  ...constant(1),
  OP.else,
  ...get(W), ...get(W), ...constant(10), OP.i32_shr_u, OP.i32_xor, ...constant(TABLE_MASK), OP.i32_and, ...tee(H),
  ...constant(3), OP.i32_shr_u, ...load8(LONG_BITS_OFFSET),
  ...get(H), ...constant(7), OP.i32_and, OP.i32_shr_u, ...constant(1), OP.i32_and,
  OP.end,
  OP.if, VOID,
  // out[count++] = i
  ...get(COUNT), ...constant(2), OP.i32_shl, ...get(I), OP.i32_store, 2, ...uleb(OUT_OFFSET),
  ...get(COUNT), ...constant(1), OP.i32_add, ...set(COUNT),
  OP.end,
  OP.end,
  // if (++i < n) continue
  ...get(I), ...constant(1), OP.i32_add, ...tee(I), ...get(N), OP.i32_lt_u, OP.br_if, 0,
  OP.end, // loop
  OP.end, // block
  ...get(COUNT),
  OP.end, // function
];

function assembleModule(): Uint8Array {
  const functionType = [0x60, ...vec([[I32]]), ...vec([[I32]])];
  const code = [...vec([[...uleb(5), I32]]), ...SCAN_BODY];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec([functionType])), // types
    ...section(3, vec([uleb(0)])), // functions: scan has type 0
    ...section(5, vec([[0x00, ...uleb(PAGES)]])), // one memory, fixed size
    ...section(7, vec([[...name('scan'), 0x00, 0], [...name('memory'), 0x02, 0]])), // exports
    ...section(10, vec([[...uleb(code.length), ...code]])), // code
  ];
  return Uint8Array.from(bytes);
}

/** The slice of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: { scan?: unknown; memory?: { buffer: ArrayBuffer } } };
}

let compiled: object | null | undefined;

/** A fresh kernel with its own memory: WebAssembly when the runtime has it, else the JavaScript twin. */
export function createKernel(): CandidateKernel {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (compiled === undefined) {
    try {
      compiled = wasm ? new wasm.Module(assembleModule()) : null;
    } catch {
      compiled = null; // e.g. node --jitless
    }
  }
  if (!compiled || !wasm) return createJsKernel();
  let exports;
  try {
    ({ exports } = new wasm.Instance(compiled, {}));
  } catch {
    return createJsKernel(); // out of address space for another memory: slower, still correct
  }
  const buffer = exports.memory!.buffer;
  return {
    memory: new Uint8Array(buffer),
    out: new Int32Array(buffer, OUT_OFFSET, SEGMENT + 64),
    kind: 'wasm',
    scan: exports.scan as (n: number) => number,
  };
}
