'use client';

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import { formatCell, formatTick, longDay, shortDay } from './format';
import type { Cell, Kind } from '@/lib/usage/tables';

/** Distinguishable colours (also for the common colour-vision deficiencies); the last one is "Other". */
const COLORS = ['#2f6fde', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'];
const OTHER = '#94a3b8';

export interface ChartSeries {
  key: string;
  label: string;
  kind: Kind;
}

export interface ChartSpec {
  type: 'stacked' | 'bars' | 'lines' | 'horizontal';
  /** The category: a day column, or a name (horizontal bars). */
  x: string;
  series: ChartSeries[];
  /** The value axis' label, with its unit. */
  yLabel: string;
  /** Series to draw dashed (lines) */
  dashed?: string[];
}

/** A category label on one line (recharts would wrap it), shortened with its full text on hover. */
function NameTick({
  x,
  y,
  payload,
}: {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}) {
  const name = String(payload?.value ?? '');
  return (
    <text x={x} y={y} dx={-2} dy={4} textAnchor="end" fontSize={12} fill="#334155">
      <title>{name}</title>
      {name.length > 22 ? `${name.slice(0, 21)}…` : name}
    </text>
  );
}

/** A round top for the value axis, so that its five ticks fall on round numbers. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 4, 6, 8, 10].find((m) => m * exp >= max) ?? 10) * exp;
}
const VALUE_DOMAIN: [number, (max: number) => number] = [0, niceMax];

const color = (s: ChartSeries, i: number) => (s.key === 'other' ? OTHER : COLORS[i % COLORS.length]);

function TooltipBox({ active, payload, label, spec }: TooltipContentProps & { spec: ChartSpec }) {
  if (!active || !payload?.length) return null;
  const byKey = new Map(spec.series.map((s) => [s.key, s]));
  const items = payload.filter((p) => p.value !== null && p.value !== undefined);
  const total =
    spec.type === 'stacked'
      ? items.reduce((t, p) => t + (typeof p.value === 'number' ? p.value : 0), 0)
      : null;
  const kind = spec.series[0]?.kind ?? 'int';
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="mb-1 font-semibold text-slate-900">
        {spec.type === 'horizontal' ? String(label) : longDay(String(label))}
      </p>
      <ul className="space-y-0.5">
        {items.map((p) => {
          const s = byKey.get(String(p.dataKey));
          return (
            <li key={String(p.dataKey)} className="flex items-center justify-between gap-4">
              <span className="flex items-center gap-1.5 text-slate-700">
                <span aria-hidden="true" className="size-2 rounded-full" style={{ background: p.color }} />
                {s?.label ?? p.name}
              </span>
              <span className="font-medium text-slate-900 tabular-nums">
                {formatCell(p.value as Cell, s?.kind ?? kind)}
              </span>
            </li>
          );
        })}
      </ul>
      {total !== null && items.length > 1 && (
        <p className="mt-1 flex justify-between gap-4 border-t border-slate-100 pt-1 font-semibold">
          <span>Total</span>
          <span className="tabular-nums">{formatCell(total, kind)}</span>
        </p>
      )}
    </div>
  );
}

/**
 * A usage chart drawn from a table's rows (the same rows its table alternative and CSV show). The SVG is
 * named by its title and described by a one-line summary; arrow keys move the tooltip (recharts'
 * accessibility layer).
 */
export function UsageChart({
  spec,
  rows,
  title,
  summary,
  height = 240,
}: {
  spec: ChartSpec;
  rows: Record<string, Cell>[];
  title: string;
  summary: string;
  height?: number;
}) {
  const kind = spec.series[0]?.kind ?? 'int';
  const legend = spec.series.length > 1;
  const tooltip = (
    <Tooltip
      content={(p: TooltipContentProps) => <TooltipBox {...p} spec={spec} />}
      cursor={{ fill: 'rgb(148 163 184 / 0.15)' }}
      isAnimationActive={false}
    />
  );
  const common = {
    data: rows,
    title,
    desc: summary,
    responsive: true,
    style: { width: '100%', height },
    margin: { top: 8, right: 12, bottom: 4, left: 4 },
  };
  const yAxis = (
    <YAxis
      tickFormatter={(v: number) => formatTick(v, kind)}
      domain={VALUE_DOMAIN}
      tickCount={5}
      width={64}
      tick={{ fontSize: 12, fill: '#475569' }}
      label={{
        value: spec.yLabel,
        angle: -90,
        position: 'insideLeft',
        style: { textAnchor: 'middle', fontSize: 12, fill: '#475569' },
      }}
      allowDecimals={kind !== 'int'}
    />
  );
  const xAxis = (
    <XAxis
      dataKey={spec.x}
      tickFormatter={(d: string) => shortDay(d)}
      tick={{ fontSize: 12, fill: '#475569' }}
      minTickGap={16}
      height={40}
      label={{
        value: 'Day (UTC)',
        position: 'insideBottom',
        offset: 0,
        style: { fontSize: 12, fill: '#475569' },
      }}
    />
  );
  const legendEl = legend ? (
    <Legend
      verticalAlign="top"
      height={28}
      iconType="circle"
      iconSize={8}
      wrapperStyle={{ fontSize: 12 }}
      itemSorter={null}
    />
  ) : null;

  if (spec.type === 'horizontal') {
    const rowHeight = 30;
    return (
      <BarChart
        {...common}
        layout="vertical"
        style={{ width: '100%', height: Math.max(120, rows.length * rowHeight + 56) }}
        margin={{ top: 4, right: 16, bottom: 4, left: 4 }}
      >
        <CartesianGrid horizontal={false} stroke="#e2e8f0" />
        <XAxis
          type="number"
          domain={VALUE_DOMAIN}
          tickCount={5}
          tickFormatter={(v: number) => formatTick(v, kind)}
          tick={{ fontSize: 12, fill: '#475569' }}
          height={40}
          label={{
            value: spec.yLabel,
            position: 'insideBottom',
            offset: 0,
            style: { fontSize: 12, fill: '#475569' },
          }}
        />
        <YAxis type="category" dataKey={spec.x} width={168} interval={0} tick={NameTick} />
        {tooltip}
        {spec.series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={color(s, i)} isAnimationActive={false} />
        ))}
      </BarChart>
    );
  }

  if (spec.type === 'lines') {
    return (
      <LineChart {...common}>
        <CartesianGrid vertical={false} stroke="#e2e8f0" />
        {xAxis}
        {yAxis}
        {tooltip}
        {legendEl}
        {spec.series.map((s, i) => (
          <Line
            key={s.key}
            type="monotone"
            dataKey={s.key}
            name={s.label}
            stroke={color(s, i)}
            strokeWidth={2}
            strokeDasharray={spec.dashed?.includes(s.key) ? '5 4' : undefined}
            dot={rows.length <= 31 ? { r: 2.5, strokeDasharray: '' } : false}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    );
  }

  return (
    <BarChart {...common}>
      <CartesianGrid vertical={false} stroke="#e2e8f0" />
      {xAxis}
      {yAxis}
      {tooltip}
      {legendEl}
      {spec.series.map((s, i) => (
        <Bar
          key={s.key}
          dataKey={s.key}
          name={s.label}
          stackId={spec.type === 'stacked' ? 'a' : undefined}
          fill={color(s, i)}
          maxBarSize={48}
          isAnimationActive={false}
        />
      ))}
    </BarChart>
  );
}
