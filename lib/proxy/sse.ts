/**
 * Incremental Server-Sent Events splitter: feed it text as it arrives, get back complete events
 * (the raw `data:` payloads joined by newlines, plus the event name when present).
 */
export interface SseEvent {
  event?: string;
  data: string;
  /** A comment-only block (": ping"): upstream keep-alives, passed on so idle proxies do not cut the stream. */
  comment?: string;
}

// A blank line ends an event: two line ends, each "\n" or "\r\n" (at most four characters).
const BLANK_LINE = /\r?\n\r?\n/g;

export class SseParser {
  /** The event being received, in the pieces it came in: joined once, when its blank line comes. */
  private parts: string[] = [];
  /** Its last three characters: a blank line may begin there and end in the next piece. */
  private tail = '';

  /**
   * Each piece is searched once (with the three characters before it): an event that arrives in many small pieces
   * costs its length, not its length times the number of pieces as a search of the whole buffer per piece did.
   */
  push(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let rest = text;
    while (rest) {
      let start = -1;
      let end = -1;
      if (this.tail) {
        // A blank line that begins in the tail ends within the first three characters of this piece.
        BLANK_LINE.lastIndex = 0;
        const m = BLANK_LINE.exec(this.tail + rest.slice(0, 3));
        if (m && m.index < this.tail.length) {
          start = m.index - this.tail.length;
          end = start + m[0].length;
        }
      }
      if (end < 0) {
        BLANK_LINE.lastIndex = 0;
        const m = BLANK_LINE.exec(rest);
        if (!m) {
          this.parts.push(rest);
          // Without joining the piece to the tail (a copy of the whole piece): its own end when long enough.
          this.tail = rest.length >= 3 ? rest.slice(-3) : (this.tail + rest).slice(-3);
          break;
        }
        start = m.index;
        end = m.index + m[0].length;
      }
      const before = this.parts.join('');
      const block = start < 0 ? before.slice(0, before.length + start) : before + rest.slice(0, start);
      this.parts = [];
      this.tail = '';
      rest = rest.slice(end);
      const ev = parseBlock(block);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** What is left when the stream ends without a final blank line. */
  end(): SseEvent[] {
    const block = this.parts.join('');
    this.parts = [];
    this.tail = '';
    const ev = block.trim() ? parseBlock(block) : undefined;
    return ev ? [ev] : [];
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trimStart());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  if (data.length === 0 && !event)
    return comments.length ? { data: '', comment: comments.join('\n') } : undefined;
  return { event, data: data.join('\n') };
}

export function formatSse(ev: SseEvent): string {
  if (ev.comment !== undefined && ev.data === '' && ev.event === undefined) return `: ${ev.comment}\n\n`;
  const head = ev.event ? `event: ${ev.event}\n` : '';
  return `${head}data: ${ev.data}\n\n`;
}
