import type { Sample } from '@/guide/samples';

/** What the getting-started page needs of a custom endpoint to show a sample of it. */
export interface EndpointSample {
  name: string;
  /** A valid request body (the config file's `example`, else one made from the input schema). */
  example: Record<string, unknown>;
  /** The top-level fields of its JSON answer; undefined for a text endpoint. */
  outputFields: string[] | undefined;
}

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

/** curl and Node.js fetch calling one custom endpoint with its example body. Keys come from the environment. */
export function endpointSamples(baseUrl: string, e: EndpointSample): Sample[] {
  const url = `${baseUrl}/api/public/v1/endpoints/${e.name}`;
  const body = JSON.stringify(e.example, null, 2);
  const answer = e.outputFields
    ? `output: { ${e.outputFields.join(', ')} }, checked against the endpoint's schema`
    : 'output: the text';
  return [
    {
      id: `endpoint-${e.name}-fetch`,
      title: 'Node.js: fetch',
      tab: 'Node.js',
      install: '',
      language: 'javascript',
      code: `const res = await fetch('${url}', {
  method: 'POST',
  headers: { 'api-key': process.env.PORTICO_API_KEY, 'content-type': 'application/json' },
  body: JSON.stringify(${indent(body, '  ')}),
});
if (!res.ok) throw new Error(\`Portico answered \${res.status}: \${await res.text()}\`);
const { output, usage } = await res.json(); // ${answer}
console.log(output);
`,
    },
    {
      id: `endpoint-${e.name}-curl`,
      title: 'curl',
      tab: 'curl',
      install: '',
      language: 'shell',
      // In single quotes for the shell: a quote inside the body closes, escapes and reopens them.
      code: `curl ${url} \\
  -H "api-key: $PORTICO_API_KEY" \\
  -H "content-type: application/json" \\
  -d '${body.replace(/'/g, `'\\''`)}'
`,
    },
  ];
}
