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

export class SseParser {
  private buffer = '';

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buffer);
      if (!m) break;
      const block = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = parseBlock(block);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** What is left when the stream ends without a final blank line. */
  end(): SseEvent[] {
    const block = this.buffer;
    this.buffer = '';
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
