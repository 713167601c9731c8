import { describe, expect, it } from 'vitest';
import { meanOf, sideArgs, sideBySide, type BenchJson } from './bench-against';

const run = (portico: number, bare: number, phiCpu: number): BenchJson => ({
  proxy: [
    { answer: 'plain', 'Portico req/s': portico, 'bare forward req/s': bare, 'added p50 ms': '0.400' },
    { answer: 'streamed', 'Portico req/s': portico / 2, 'added p50 ms': '0.500' },
  ],
  variants: [
    {
      variant: 'metering + PHI scrub + restore, 2 KB clinical prompt',
      'req/s (median)': 1000,
      'CPU µs/req Portico': phiCpu,
    },
  ],
});

describe('bench --against', () => {
  it('sets the two runs side by side, each against its own bare forward', () => {
    const rows = sideBySide(['old', 'new'], run(2000, 8000, 900), run(3000, 6000, 450));
    const row = (figure: string) => rows.find((r) => r.figure === figure);
    expect(row('plain: Portico req/s')).toEqual({
      figure: 'plain: Portico req/s',
      old: 2000,
      new: 3000,
      'new / old': '1.500',
    });
    // The machine was slower in the second run (bare 8,000 → 6,000): relative to its floor Portico doubled.
    expect(row('plain: Portico / bare forward')).toMatchObject({
      old: '0.250',
      new: '0.500',
      'new / old': '2.000',
    });
    expect(row('metering + PHI scrub + restore, 2 KB clinical prompt: Portico CPU µs/req')).toMatchObject({
      old: 900,
      new: 450,
      'new / old': '0.500',
    });
    // The streamed runs have no bare forward: no ratio row is made up for them.
    expect(row('streamed: Portico / bare forward')).toBeUndefined();
    expect(row('streamed: Portico req/s')).toMatchObject({ old: 1000, new: 1500 });
  });

  it('leaves out what only one of the two measured', () => {
    const old = run(2000, 8000, 900);
    old.variants = [];
    const rows = sideBySide(['old', 'new'], old, run(3000, 6000, 450));
    expect(rows.some((r) => String(r.figure).includes('PHI'))).toBe(false);
  });
});

describe('bench --against in ABBA order', () => {
  it("averages each side's runs, figure by figure, keeping the labels", () => {
    const m = meanOf([run(2000, 8000, 900), run(3000, 6000, 500)]);
    expect(m.proxy[0]).toMatchObject({ answer: 'plain', 'Portico req/s': 2500, 'bare forward req/s': 7000 });
    expect(m.proxy[0]!['added p50 ms']).toBe(0.4);
    expect(m.variants[0]).toMatchObject({
      variant: 'metering + PHI scrub + restore, 2 KB clinical prompt',
      'CPU µs/req Portico': 700,
    });
  });

  it("runs this checkout's bench for both sides, the old side against the other commit's server", () => {
    const argv = [
      '--against',
      'ac02d56',
      '--seconds',
      '5',
      '--pairs',
      '1',
      '--json',
      'x.json',
      '--rounds',
      '4',
    ];
    expect(sideArgs('old', '/wt/ac02d56', argv, '/tmp/0-old.json')).toEqual([
      '--seconds',
      '5',
      '--rounds',
      '4',
      '--server',
      '/wt/ac02d56',
      '--json',
      '/tmp/0-old.json',
    ]);
    expect(sideArgs('new', '/wt/ac02d56', [...argv, '--server', '/elsewhere'], '/tmp/1-new.json')).toEqual([
      '--seconds',
      '5',
      '--rounds',
      '4',
      '--json',
      '/tmp/1-new.json',
    ]);
  });
});
