// A read-only map from words to small numbers, packed for a large vocabulary: every key in one string,
// offsets and values in typed arrays, an open-addressing hash table of entry numbers. About 10 bytes a
// word instead of the ~100 a Map entry with its own string costs, and no allocation per lookup.

/** FNV-1a over UTF-16 code units of `s` from `from` to `to`: the hash the table files its keys by. */
export function hashOf(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A table's contents as plain data, to build the same table elsewhere (a worker thread) without its word lists. */
export interface PackedWordTable {
  size: number;
  keys: string;
  starts: Uint32Array;
  values: Uint32Array;
  slots: Int32Array;
  mask: number;
}

/** Scratch space for `getEdited`: keys longer than this are never looked up as edits. */
const EDIT = new Uint16Array(64);

export class WordTable {
  readonly size: number;
  private readonly keys: string;
  private readonly starts: Uint32Array;
  private readonly values: Uint32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** Values are unsigned 32-bit integers. */
  constructor(entries: Map<string, number> | PackedWordTable) {
    if (!(entries instanceof Map)) {
      ({
        size: this.size,
        keys: this.keys,
        starts: this.starts,
        values: this.values,
        slots: this.slots,
        mask: this.mask,
      } = entries);
      if (
        this.starts.length !== this.size + 1 ||
        this.values.length !== this.size ||
        this.slots.length !== this.mask + 1
      )
        throw new Error('WordTable: inconsistent packed table');
      return;
    }
    const n = entries.size;
    this.size = n;
    const list: string[] = new Array<string>(n);
    this.starts = new Uint32Array(n + 1);
    this.values = new Uint32Array(n);
    let i = 0;
    let at = 0;
    for (const [k, v] of entries) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new Error(`WordTable value out of range for ${k}`);
      list[i] = k;
      this.starts[i] = at;
      this.values[i] = v;
      at += k.length;
      i++;
    }
    this.starts[n] = at;
    this.keys = list.join('');
    let cap = 1;
    while (cap < n * 2) cap <<= 1;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap);
    for (let e = 0; e < n; e++) {
      let slot = hashOf(this.keys, this.starts[e] ?? 0, this.starts[e + 1] ?? 0) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = e + 1;
    }
  }

  get(key: string): number | undefined {
    return this.getHashed(key, hashOf(key, 0, key.length));
  }

  /** `get` for a caller that has the key's hash (`hashOf`) already. */
  getHashed(key: string, h: number): number | undefined {
    const len = key.length;
    const { keys, starts, slots, mask } = this;
    let slot = h & mask;
    for (;;) {
      const e = slots[slot] ?? 0;
      if (e === 0) return undefined;
      const from = starts[e - 1] ?? 0;
      if ((starts[e] ?? 0) - from === len) {
        let k = 0;
        while (k < len && keys.charCodeAt(from + k) === key.charCodeAt(k)) k++;
        if (k === len) return this.values[e - 1];
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * The value of the key `s.slice(0, at) + insert + s.slice(at + skip)`, looked up without building it (a
   * typo search tries hundreds of such edits of one word).
   */
  getEdited(s: string, at: number, skip: number, insert: string): number | undefined {
    const ins = insert.length;
    const len = s.length - skip + ins;
    if (len > EDIT.length) return undefined;
    // The edited key's code units, written once into a scratch buffer (no string, no closure per lookup).
    let n = 0;
    for (let k = 0; k < at; k++) EDIT[n++] = s.charCodeAt(k);
    for (let k = 0; k < ins; k++) EDIT[n++] = insert.charCodeAt(k);
    for (let k = at + skip; k < s.length; k++) EDIT[n++] = s.charCodeAt(k);
    let h = 0x811c9dc5;
    for (let k = 0; k < len; k++) {
      h ^= EDIT[k] ?? 0;
      h = Math.imul(h, 0x01000193);
    }
    const { keys, starts, slots, mask } = this;
    let slot = (h >>> 0) & mask;
    for (;;) {
      const e = slots[slot] ?? 0;
      if (e === 0) return undefined;
      const from = starts[e - 1] ?? 0;
      if ((starts[e] ?? 0) - from === len) {
        let k = 0;
        while (k < len && keys.charCodeAt(from + k) === EDIT[k]) k++;
        if (k === len) return this.values[e - 1];
      }
      slot = (slot + 1) & mask;
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The table as plain data (typed arrays and one string), for `new WordTable(packed)`. */
  pack(): PackedWordTable {
    return {
      size: this.size,
      keys: this.keys,
      starts: this.starts,
      values: this.values,
      slots: this.slots,
      mask: this.mask,
    };
  }
}
