import { detect } from './detect';
import { canonicalKey, formatToken, holdBackStart, tokenKey, TOKEN_RE } from './tokens';
import type { PhiCounts, PhiEntity, PhiType } from './types';

export interface TextStreamRestorer {
  /** Restored text that is safe to emit now; a possible partial token at the end is held back. */
  push(delta: string): string;
  /** Everything still held back, restored. Call once at the end of the stream. */
  flush(): string;
}

function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** A token map as plain data: [token key, value] pairs ("NAME_1", "Maria Gonzalez"). */
export type TokenEntries = [string, string][];

const KEY_SHAPE = /^([A-Z]+(?:_[A-Z]+)?)_(\d+)$/;

/**
 * The token map of one request, or of a chain of upstream objects (a conversation, stored responses, a batch) when
 * continued from its entries. Values never leave this object but through `entries()`, which the chain store seals.
 */
export class PhiSession {
  readonly #tokenOf = new Map<string, string>(); // value -> key ("NAME_1")
  readonly #valueOf = new Map<string, string>(); // key -> value
  readonly #next = new Map<PhiType, number>();
  readonly #reserved = new Set<string>(); // keys the caller's own text already uses literally
  readonly #counts: PhiCounts = {};
  readonly #types: string[] = [];
  #total = 0;

  /** A session that continues a chain's map: known values keep their tokens, new ones get the next numbers. */
  static continuing(entries: TokenEntries): PhiSession {
    const s = new PhiSession();
    for (const [key, value] of entries) {
      const m = KEY_SHAPE.exec(key);
      if (!m) continue;
      const type = m[1] as PhiType;
      const n = Number(m[2]);
      s.#tokenOf.set(value, key);
      s.#valueOf.set(key, value);
      if ((s.#next.get(type) ?? 1) <= n) s.#next.set(type, n + 1);
      if (!s.#types.includes(type)) s.#types.push(type);
    }
    return s;
  }

  /** The map, to be sealed and kept with the upstream objects that hold its tokens. */
  entries(): TokenEntries {
    return [...this.#valueOf];
  }

  /** How many values the map holds (grows when a request of a chain brings new ones). */
  get size(): number {
    return this.#valueOf.size;
  }

  /** Replaces every identifier in `text` with its token; the same value always gets the same token. */
  scrub(text: string): string {
    return this.scrubEntities(text, detect(text));
  }

  /** Like `scrub`, with entities found by the caller (sorted, non-overlapping). */
  scrubEntities(text: string, entities: readonly PhiEntity[]): string {
    if (entities.length === 0) return text;
    this.#reserveLiteralTokens(text);
    let out = '';
    let at = 0;
    for (const e of entities) {
      out += text.slice(at, e.start) + formatToken(this.#tokenFor(text.slice(e.start, e.end), e.type));
      at = e.end;
      this.#counts[e.type] = (this.#counts[e.type] ?? 0) + 1;
      this.#total++;
    }
    return out + text.slice(at);
  }

  /** Puts the values back for every token this session issued; other token-like text stays. */
  restore(text: string): string {
    return this.#restore(text, false, 0);
  }

  /** Same as `restore`, for text inside a JSON string: values are JSON-escaped. */
  restoreJsonEscaped(text: string): string {
    return this.#restore(text, true, 0);
  }

  counts(): PhiCounts {
    return { ...this.#counts };
  }

  total(): number {
    return this.#total;
  }

  /** True when this session issued at least one token (restoring is then needed). */
  hasTokens(): boolean {
    return this.#valueOf.size > 0;
  }

  streamRestorer(opts: { jsonEscaped?: boolean } = {}): TextStreamRestorer {
    const json = opts.jsonEscaped === true;
    let held = '';
    let prevChar: string | undefined;
    const emit = (text: string): string => {
      if (text.length === 0) return '';
      // The character before carries the "starts a word" context of the first token.
      const restored =
        prevChar === undefined
          ? this.#restore(text, json, 0)
          : this.#restore(prevChar + text, json, 1).slice(1);
      prevChar = text[text.length - 1];
      return restored;
    };
    return {
      push: (delta: string): string => {
        if (!this.hasTokens()) return delta;
        const text = held + delta;
        const cut = holdBackStart(text, this.#types, prevChar);
        held = text.slice(cut);
        return emit(text.slice(0, cut));
      },
      flush: (): string => {
        const rest = held;
        held = '';
        return emit(rest);
      },
    };
  }

  #restore(text: string, json: boolean, from: number): string {
    // Every form of a token holds an underscore ("[NAME_1]", "NAME\_1"): a text without one has nothing to restore.
    if (this.#valueOf.size === 0 || !text.includes('_')) return text;
    TOKEN_RE.lastIndex = 0;
    return text.replace(
      TOKEN_RE,
      (
        match: string,
        open: string | undefined,
        type: string | undefined,
        n: string | undefined,
        close: string | undefined,
        bareType: string | undefined,
        bareN: string | undefined,
        bareClose: string | undefined,
        offset: number,
      ) => {
        if (offset < from) return match;
        const key = canonicalKey(type ?? bareType ?? '', n ?? bareN ?? '');
        const value = this.#valueOf.get(key);
        if (value === undefined) return match;
        const v = json ? jsonEscape(value) : value;
        if (open !== undefined) {
          if (close === undefined) return open + v;
          // "\[NAME_1\]" is Markdown escaping; a lone "\" before "[" was the caller's own text.
          return open.length > 1 && close.length === 1 ? `\\${v}` : v;
        }
        // A stray closing bracket without an opening one stays, as the model wrote it.
        return bareClose !== undefined ? v + bareClose : v;
      },
    );
  }

  #tokenFor(value: string, type: PhiType): string {
    const known = this.#tokenOf.get(value);
    if (known) return known;
    let n = this.#next.get(type) ?? 1;
    while (this.#reserved.has(tokenKey(type, n))) n++;
    const key = tokenKey(type, n);
    this.#next.set(type, n + 1);
    this.#tokenOf.set(value, key);
    this.#valueOf.set(key, value);
    if (!this.#types.includes(type)) this.#types.push(type);
    return key;
  }

  #reserveLiteralTokens(text: string): void {
    if (!text.includes('_')) return;
    TOKEN_RE.lastIndex = 0;
    for (let m = TOKEN_RE.exec(text); m; m = TOKEN_RE.exec(text)) {
      this.#reserved.add(canonicalKey(m[2] ?? m[5] ?? '', m[3] ?? m[6] ?? ''));
    }
  }
}
