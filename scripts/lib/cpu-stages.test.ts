import { describe, expect, it } from 'vitest';
import { perRequest, stageTimes, type CpuProfile } from './cpu-stages';

describe('CPU per request by stage', () => {
  it('gives a sample to the stage of the nearest frame of Portico above it, and scales the shares', () => {
    const node = (id: number, url: string, functionName = 'f', children: number[] = []) => ({
      id,
      callFrame: { functionName, url },
      children,
    });
    const profile: CpuProfile = {
      nodes: [
        node(1, '', '(root)', [2, 6, 7, 8]),
        node(2, 'file:///app/lib/proxy/oai.ts', 'exchange', [3, 5]),
        node(3, 'file:///app/lib/phi/detect.ts', 'detect', [4]),
        node(4, '', 'exec'), // a regex inside detect: detect's
        node(5, 'file:///app/lib/proxy/http.ts', 'readJsonObject'),
        node(6, '', '(garbage collector)'),
        node(7, '', '(idle)'),
        node(8, 'file:///app/node_modules/undici/lib/dispatcher/client.js', 'onData'),
      ],
      samples: [3, 4, 4, 5, 6, 7, 7, 8, 2],
      timeDeltas: [10, 10, 10, 10, 10, 1000, 1000, 10, 10],
    };
    const t = stageTimes(profile);
    expect(t['PHI detect']).toBe(30);
    expect(t['body and validation']).toBe(10);
    expect(t['garbage collection']).toBe(10);
    expect(t['request path and HTTP']).toBe(10);
    // A library frame with no Portico frame above it keeps its own stage (undici's socket callbacks).
    expect(t['upstream call and answer']).toBe(10);
    const per = perRequest(t, 140);
    expect(Object.values(per).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(138);
    expect(per['PHI detect']).toBe(60);
  });
});
