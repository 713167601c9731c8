import { keyHint } from '../records';
import { firstEndingAfter } from '../sorted';
import { PRIORITY, type Candidate, type PhiType } from '../types';

// Records pasted as text: HL7 v2 segments, and tables with a header row (CSV, TSV, pipes). Their structure says
// what a value is, whatever the words in it: "SMITH^JOHN^A" in PID-5 is a name, a cell under "dob" a date.

// What a record's structure says a value is outranks what a pattern guesses from its shape (a PID-7 birth date
// "19610304" is a date, not the long number it looks like; a cell under "last_name" a name, not a place).
const STRUCTURED = 20;

const push = (out: Candidate[], start: number, end: number, type: PhiType) => {
  if (end > start) out.push({ start, end, type, priority: PRIORITY[type] + STRUCTURED });
};

/** HL7 v2 fields that hold identifiers, by segment: field number → type (components of a field included). */
/** A component separator or white space: what may pad the end of an HL7 field. */
const HL7_PAD = /[\^&\s]/;
const HL7_FIELDS: Readonly<Record<string, Readonly<Record<number, PhiType>>>> = {
  PID: {
    2: 'MRN',
    3: 'MRN',
    4: 'MRN',
    5: 'NAME',
    6: 'NAME',
    7: 'DATE',
    9: 'NAME',
    11: 'LOCATION',
    13: 'PHONE',
    14: 'PHONE',
    18: 'ACCOUNT',
    19: 'SSN',
    20: 'LICENSE',
    21: 'NAME',
    29: 'DATE',
  },
  PD1: { 4: 'NAME' },
  NK1: { 2: 'NAME', 4: 'LOCATION', 5: 'PHONE', 6: 'PHONE', 30: 'NAME', 32: 'LOCATION', 33: 'ID', 37: 'SSN' },
  PV1: {
    7: 'NAME',
    8: 'NAME',
    9: 'NAME',
    17: 'NAME',
    19: 'ACCOUNT',
    44: 'DATE',
    45: 'DATE',
    50: 'ACCOUNT',
    52: 'NAME',
  },
  GT1: {
    2: 'ID',
    3: 'NAME',
    4: 'NAME',
    5: 'LOCATION',
    6: 'PHONE',
    7: 'PHONE',
    8: 'DATE',
    12: 'SSN',
    16: 'NAME',
    17: 'LOCATION',
    18: 'PHONE',
  },
  IN1: { 16: 'NAME', 18: 'DATE', 19: 'LOCATION', 36: 'HEALTH_PLAN', 49: 'ID' },
  IN2: { 1: 'ID', 2: 'SSN', 8: 'HEALTH_PLAN', 6: 'HEALTH_PLAN' },
  MRG: { 1: 'MRN', 3: 'ACCOUNT', 7: 'NAME' },
  ORC: { 10: 'NAME', 11: 'NAME', 12: 'NAME' },
  OBR: { 10: 'NAME', 16: 'NAME', 28: 'NAME', 32: 'NAME' },
  DG1: { 16: 'NAME' },
  AL1: {},
};
const SEGMENT = /^(PID|PD1|NK1|PV1|GT1|IN1|IN2|MRG|ORC|OBR|DG1)\|/gm;

/** The identifiers of HL7 v2 segments in a text (segments one a line; "|" fields, "^" and "~" inside them). */
export function detectHl7(text: string, out: Candidate[]): void {
  if (!text.includes('|')) return;
  SEGMENT.lastIndex = 0;
  for (let m = SEGMENT.exec(text); m; m = SEGMENT.exec(text)) {
    const fields = HL7_FIELDS[m[1]!] ?? {};
    let lineEnd = text.slice(m.index).search(/\r|\n/);
    lineEnd = lineEnd < 0 ? text.length : m.index + lineEnd;
    let at = m.index + m[0].length;
    for (let n = 1; at <= lineEnd; n++) {
      let end = text.indexOf('|', at);
      if (end < 0 || end > lineEnd) end = lineEnd;
      const type = fields[n];
      if (type) {
        // Repetitions (~) of a field each their own value; trailing component separators left out.
        let s = at;
        for (const rep of text.slice(at, end).split('~')) {
          // Walked back by hand: a regex anchored at the end retries from every start ("^^^…^x" is quadratic).
          let e = rep.length;
          while (e > 0 && HL7_PAD.test(rep[e - 1]!)) e--;
          const trimmed = rep.slice(0, e);
          const lead = trimmed.length - trimmed.replace(/^[\^&\s]+/, '').length;
          push(out, s + lead, s + trimmed.length, type);
          s += rep.length + 1;
        }
      }
      at = end + 1;
      if (end === lineEnd) break;
    }
  }
}

const DELIMITERS = [',', '\t', ';', '|'] as const;

/** Cells of a line split by `d`, with their offsets (a quoted cell keeps its commas). */
function cells(line: string, offset: number, d: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  let i = 0;
  while (i <= line.length) {
    let start = i;
    let end: number;
    if (line[i] === '"') {
      let j = i + 1;
      while (j < line.length && !(line[j] === '"' && line[j + 1] !== '"')) j += line[j] === '"' ? 2 : 1;
      start = i + 1;
      end = j;
      i = line.indexOf(d, j);
    } else {
      i = line.indexOf(d, i);
      end = i < 0 ? line.length : i;
    }
    out.push({ start: offset + start, end: offset + end, text: line.slice(start, end) });
    if (i < 0) break;
    i++;
  }
  return out;
}

/**
 * Tables with a header row: when a header cell names an identifier ("first_name", "DOB", "MRN", "Address"), every
 * cell below it is one, typed by the header, for as long as the rows keep the header's number of cells. Every such
 * table (its header included) is added to `tables`, in the text's order.
 */
export function detectTables(text: string, out: Candidate[], tables: TableSpan[] = []): void {
  if (!text.includes('\n')) return;
  const lines: { start: number; text: string }[] = [];
  for (let at = 0; at <= text.length;) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    lines.push({ start: at, text: text.slice(at, end).replace(/\r$/, '') });
    at = end + 1;
  }
  for (let i = 0; i < lines.length - 1; i++) {
    const head = lines[i]!;
    for (const d of DELIMITERS) {
      if (!head.text.includes(d)) continue;
      const names = cells(head.text, head.start, d);
      if (names.length < 2) continue;
      // A header has a row of as many cells under it, and its cells are labels: short, no digits-only cells. (Checked
      // before the names are read: prose has commas on most lines.)
      if (cells(lines[i + 1]!.text, 0, d).length !== names.length) continue;
      if (names.some((c) => c.text.trim().length > 40 || /^\d+$/.test(c.text.trim()))) continue;
      const types = names.map((c) => keyHint(c.text.trim().replace(/\s+/g, '_')));
      if (!types.some(Boolean)) continue;
      const table: TableSpan = { start: names[0]!.start, end: 0, cells: [] };
      for (const c of names) table.cells.push(c.start, c.end);
      let j = i + 1;
      for (; j < lines.length; j++) {
        const row = cells(lines[j]!.text, lines[j]!.start, d);
        if (row.length !== names.length) break;
        for (const c of row) table.cells.push(c.start, c.end);
        row.forEach((c, k) => {
          const type = types[k];
          const value = c.text.trim();
          if (!type || !value) return;
          const lead = c.text.length - c.text.trimStart().length;
          push(out, c.start + lead, c.start + lead + value.length, type);
        });
      }
      table.end = table.cells[table.cells.length - 1]!;
      tables.push(table);
      if (j > i + 1) i = j - 1;
      break;
    }
  }
}

/** A table found by detectTables: from its header's first cell to its last row's last cell, and every cell. */
export interface TableSpan {
  start: number;
  end: number;
  /** start, end pairs, in the text's order. */
  cells: number[];
}

/**
 * The parts of [start, end) that the tables' cells hold, and those outside every table: a span the tagger ran
 * across cells ("Quackenbush,1961-03-04\nJohn,Smith") is cut at their edges, so that one cell is one value.
 */
export function withinCells(start: number, end: number, tables: readonly TableSpan[]): [number, number][] {
  const parts: [number, number][] = [];
  let at = start;
  // Tables and their cells are sorted and disjoint: each span looks only at what it overlaps, found by binary
  // search, so that a table of thousands of rows costs each span its own cells, not the table's.
  for (let ti = firstEndingAfter(tables, at); ti < tables.length; ti++) {
    const t = tables[ti]!;
    if (t.start >= end) break;
    if (t.start > at) parts.push([at, t.start]);
    const c = t.cells;
    let lo = 0;
    let hi = c.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[2 * mid + 1]! <= at) lo = mid + 1;
      else hi = mid;
    }
    for (let k = 2 * lo; k < c.length && c[k]! < end; k += 2) {
      const a = Math.max(at, c[k]!);
      const b = Math.min(end, c[k + 1]!);
      if (b > a) parts.push([a, b]);
    }
    at = t.end;
  }
  if (end > at) parts.push([at, end]);
  return parts;
}
