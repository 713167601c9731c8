import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, resolveConfig } from '.';
import { builtinConfigYaml } from './load';
import {
  compileSchema,
  exampleFor,
  firstProblem,
  renderTemplate,
  strictCompatible,
  stricterPolicy,
  templateVariables,
} from './endpoints';

const base = `
providers: { e: { type: echo } }
models: { m: { provider: e } }
`;
const withEndpoint = (body: string) => `${base}endpoints:\n  ask:\n${body}`;
const problems = (yaml: string) => {
  try {
    parseConfig(yaml, 'test.yaml');
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
};

describe('templates', () => {
  it('finds each variable once, in order, spaces allowed inside the braces', () => {
    expect(templateVariables('{{a}} and {{ b }} then {{a}}')).toEqual({ variables: ['a', 'b'] });
  });

  it('says what is wrong with braces that are not a variable', () => {
    expect(templateVariables('Hi {{ first name }}').problem).toMatch(
      /"\{\{ first name }}" that is not a variable/,
    );
    expect(templateVariables('Hi {{name}').problem).toMatch(/not a variable/);
    expect(templateVariables('a }} b').problem).toMatch(/"}}"/);
    expect(templateVariables('JSON like {"a": 1} is fine').problem).toBeUndefined();
  });

  it('renders text as is, other values as JSON, and absent ones as nothing', () => {
    expect(
      renderTemplate('{{t}}|{{n}}|{{b}}|{{o}}|{{missing}}', { t: 'x "y"', n: 2, b: false, o: { k: [1] } }),
    ).toBe('x "y"|2|false|{\n  "k": [\n    1\n  ]\n}|');
  });
});

describe('schemas', () => {
  it('fills defaults into the body it checks, and names the field of the first problem', () => {
    const v = compileSchema(
      {
        type: 'object',
        required: ['note'],
        additionalProperties: false,
        properties: {
          note: { type: 'string' },
          kind: { type: 'string', enum: ['a', 'b'], default: 'a' },
          items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } },
        },
      },
      'input',
    );
    const body: Record<string, unknown> = { note: 'x' };
    expect(v(body)).toBe(true);
    expect(body.kind).toBe('a');
    v({});
    expect(firstProblem(v.errors)).toEqual({ field: 'note', message: 'is required' });
    v({ note: 'x', kind: 'c' });
    expect(firstProblem(v.errors)).toEqual({ field: 'kind', message: 'must be one of: "a", "b"' });
    v({ note: 'x', extra: 1 });
    expect(firstProblem(v.errors)).toEqual({ field: 'extra', message: 'is not a field of this endpoint' });
    v({ note: 'x', items: [{ n: 1 }, { n: 'two' }] });
    expect(firstProblem(v.errors)).toEqual({ field: 'items.1.n', message: 'must be integer' });
  });

  it('knows which schemas strict structured output takes as they are', () => {
    const closed = {
      type: 'object',
      additionalProperties: false,
      required: ['a', 'b'],
      properties: {
        a: { type: 'string' },
        b: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['c'], properties: { c: {} } },
        },
      },
    };
    expect(strictCompatible(closed)).toBe(true);
    expect(strictCompatible({ ...closed, required: ['a'] })).toBe(false);
    expect(strictCompatible({ ...closed, additionalProperties: true })).toBe(false);
    const nestedOpen = structuredClone(closed);
    delete (nestedOpen.properties.b.items as { additionalProperties?: boolean }).additionalProperties;
    expect(strictCompatible(nestedOpen)).toBe(false);
  });

  it('makes an example body from a schema', () => {
    expect(
      exampleFor({
        type: 'object',
        properties: {
          s: { type: 'string', description: 'a note' },
          e: { enum: ['x', 'y'] },
          d: { type: 'string', default: 'dflt' },
          n: { type: 'integer', minimum: 3 },
          a: { type: 'array', items: { type: 'boolean' } },
          x: { type: 'string', examples: ['given'] },
        },
      }),
    ).toEqual({ s: '(a note)', e: 'x', d: 'dflt', n: 3, a: [true], x: 'given' });
  });

  it('lets an endpoint tighten an app’s PHI policy, never loosen it', () => {
    expect(stricterPolicy('off', 'scrub')).toBe('scrub');
    expect(stricterPolicy('scrub', 'redact')).toBe('redact');
    expect(stricterPolicy('block', 'scrub')).toBe('block');
    expect(stricterPolicy('redact', undefined)).toBe('redact');
  });
});

describe('endpoints in the config file', () => {
  const ok = `    description: Answers.
    model: m
    system: You answer about {{topic}}.
    user: '{{question}}'
    input:
      type: object
      required: [question]
      properties: { question: { type: string }, topic: { type: string, default: medicine } }
`;

  it('resolves an endpoint with its variables, compiled schemas and an example', () => {
    const cfg = resolveConfig({ file: parseConfig(withEndpoint(ok), 't'), source: 't' });
    const e = cfg.endpoints.get('ask')!;
    expect(e.variables).toEqual(['topic', 'question']);
    expect(e.example).toEqual({ question: 'text', topic: 'medicine' });
    expect(e.output).toBeUndefined();
    expect(e.validateInput({ question: 'q' })).toBe(true);
  });

  it('refuses templates that use undeclared variables, naming the path and line', () => {
    const msg = problems(withEndpoint(ok.replace("'{{question}}'", "'{{question}} {{patient}}'")));
    expect(msg).toMatch(
      /endpoints\.ask\.user \(line 9\): uses \{\{patient\}\}, not declared under input\.properties \(declared: question, topic\)/,
    );
  });

  it('refuses schemas that are not usable, a misspelt keyword included', () => {
    expect(problems(withEndpoint(ok.replace('required: [question]', 'requried: [question]')))).toMatch(
      /endpoints\.ask\.input .*unknown keyword: "requried"/,
    );
    expect(problems(withEndpoint(`${ok}    output: { type: array, items: { type: string } }\n`))).toMatch(
      /endpoints\.ask\.output .*must describe an object/,
    );
    expect(problems(withEndpoint(ok.replace(/input:[\s\S]*$/, 'input: { type: string }\n')))).toMatch(
      /endpoints\.ask\.input .*must describe an object/,
    );
  });

  it('refuses an unknown model, a wrong example, an unknown setting and a loosening PHI policy', () => {
    expect(problems(withEndpoint(ok.replace('model: m', 'model: gpt-9')))).toMatch(
      /endpoints\.ask\.model .*"gpt-9" is not a model under models/,
    );
    expect(problems(withEndpoint(`${ok}    example: { topic: x }\n`))).toMatch(
      /endpoints\.ask\.example .*does not match input/,
    );
    expect(problems(withEndpoint(`${ok}    settings: { temprature: 0 }\n`))).toMatch(
      /endpoints\.ask\.settings/,
    );
    expect(problems(withEndpoint(`${ok}    phiPolicy: off\n`))).toMatch(/endpoints\.ask\.phiPolicy/);
  });

  it('the built-in setup serves the example file’s endpoints', () => {
    const cfg = resolveConfig({ file: parseConfig(builtinConfigYaml(), 'built-in'), source: 'built-in' });
    expect([...cfg.endpoints.keys()]).toEqual(['summarize-note', 'patient-letter']);
    for (const e of cfg.endpoints.values()) {
      expect(cfg.models.has(e.model)).toBe(true);
      expect(e.validateInput(structuredClone(e.example))).toBe(true);
    }
    expect(cfg.endpoints.get('summarize-note')!.strictOutput).toBe(true);
  });
});
