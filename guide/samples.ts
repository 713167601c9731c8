// The sample programs the getting-started page shows, filled in with this server and the chosen app: documentation
// for callers (they read their Portico key from their own environment), not code Portico runs.
export const API_VERSION = '2025-01-01-preview';

export interface Sample {
  id: string;
  title: string;
  /** The short label of its tab. */
  tab: string;
  install: string;
  language: string;
  code: string;
}

export interface SampleGroup {
  id: string;
  title: string;
  samples: Sample[];
}

export interface SampleContext {
  /** This server's public base URL, without a trailing slash. */
  baseUrl: string;
  /** A model (deployment) the app may call. */
  deployment: string;
  /** The adapter the adapter sample calls (one the app is allowed, else a configured one). */
  adapter: string;
  /** The app may send its own OpenAI key on the PHI-safe chat endpoint. */
  byoKey: boolean;
}

const PHI_PROMPT = 'Patient John Doe has complained about recurring headaches.';

/** The guide's samples with this server's base URL and the app's models filled in. Keys come from the environment. */
export function sampleGroups({ baseUrl, deployment, adapter, byoKey }: SampleContext): SampleGroup[] {
  const endpoint = `${baseUrl}/api/public/oai`;
  const d = deployment;
  return [
    sdkGroup(endpoint, d),
    phiChatGroup(baseUrl, d, byoKey),
    adapterGroup(baseUrl, adapter),
    porticoApiGroup(baseUrl),
  ];
}

/** The SDKs, LangChain and the Vercel AI SDK against the model APIs. */
function sdkGroup(endpoint: string, d: string): SampleGroup {
  return {
    id: 'sdks',
    title: 'OpenAI SDKs, LangChain and the Vercel AI SDK',
    samples: [...pythonAndNodeSamples(endpoint, d), ...openAiStyleSamples(endpoint, d)],
  };
}

/** The SDKs' own Azure clients: Python's openai and LangChain, Node's openai. */
function pythonAndNodeSamples(endpoint: string, d: string): Sample[] {
  return [
    {
      id: 'python',
      title: 'Python: openai (AzureOpenAI)',
      tab: 'Python',
      install: 'pip install openai',
      language: 'python',
      code: `import os
from openai import AzureOpenAI

client = AzureOpenAI(
    api_version="${API_VERSION}",
    api_key=os.environ["PORTICO_API_KEY"],
    azure_endpoint="${endpoint}",
)
completion = client.chat.completions.create(
    model="${d}",
    messages=[{"role": "user", "content": "How do I output all files in a directory using Python?"}],
)
print(completion.choices[0].message.content)
`,
    },
    {
      id: 'langchain',
      title: 'Python: LangChain (AzureChatOpenAI)',
      tab: 'LangChain',
      install: 'pip install langchain-openai',
      language: 'python',
      code: `import os
from langchain_openai import AzureChatOpenAI
from langchain_core.messages import HumanMessage, SystemMessage

model = AzureChatOpenAI(
    azure_endpoint="${endpoint}",
    api_key=os.environ["PORTICO_API_KEY"],
    azure_deployment="${d}",
    openai_api_version="${API_VERSION}",
)
answer = model.invoke([SystemMessage("Translate the following from English into Italian"), HumanMessage("hi!")])
print(answer.content)
`,
    },
    {
      id: 'node',
      title: 'Node.js: openai (AzureOpenAI)',
      tab: 'Node.js',
      install: 'npm install openai',
      language: 'javascript',
      code: `import { AzureOpenAI } from 'openai';

const client = new AzureOpenAI({
  endpoint: '${endpoint}',
  apiKey: process.env.PORTICO_API_KEY,
  apiVersion: '${API_VERSION}',
  deployment: '${d}',
});
const response = await client.chat.completions.create({
  model: '${d}',
  messages: [{ role: 'user', content: 'Tell me a joke' }],
});
console.log(response.choices[0].message.content);
`,
    },
  ];
}

/** OpenAI-style clients, the Vercel AI SDK, and curl. */
function openAiStyleSamples(endpoint: string, d: string): Sample[] {
  return [
    {
      id: 'node-openai',
      title: 'Node.js: openai (OpenAI), OpenAI route and Azure’s v1 API shape',
      tab: 'Node.js (OpenAI)',
      install: 'npm install openai',
      language: 'javascript',
      code: `import OpenAI from 'openai';

// OpenAI route: chat.completions, responses, embeddings, models.list() (your app's models only)
const client = new OpenAI({ baseURL: '${endpoint}/v1', apiKey: process.env.PORTICO_API_KEY });
const completion = await client.chat.completions.create({
  model: '${d}',
  messages: [{ role: 'user', content: 'Tell me a joke' }],
});
console.log(completion.choices[0].message.content);
const response = await client.responses.create({ model: '${d}', input: 'Tell me a joke' });
console.log(response.output_text);

// Azure's v1 API shape works too: the model is named in the body
const azureV1 = new OpenAI({ baseURL: '${endpoint}/openai/v1', apiKey: process.env.PORTICO_API_KEY });
const again = await azureV1.chat.completions.create({
  model: '${d}',
  messages: [{ role: 'user', content: 'Tell me a joke' }],
});
console.log(again.choices[0].message.content);
`,
    },
    {
      id: 'ai-sdk-azure',
      title: 'Vercel AI SDK: createAzure',
      tab: 'AI SDK (Azure)',
      install: 'npm install ai @ai-sdk/azure',
      language: 'javascript',
      code: `import { generateText, streamText } from 'ai';
import { createAzure } from '@ai-sdk/azure';

const azure = createAzure({ baseURL: '${endpoint}/openai', apiKey: process.env.PORTICO_API_KEY });

// azure(model) uses the Responses API
const { text } = await generateText({ model: azure('${d}'), prompt: 'Tell me a joke' });
console.log(text);

// azure.chat(model) uses chat completions
const chat = await generateText({ model: azure.chat('${d}'), prompt: 'Tell me a joke' });
console.log(chat.text);

// Streaming
const result = streamText({ model: azure('${d}'), prompt: 'Tell me a joke' });
for await (const delta of result.textStream) process.stdout.write(delta);

// Deployment-style URLs: createAzure({ baseURL: '${endpoint}/openai', apiKey, useDeploymentBasedUrls: true })
`,
    },
    {
      id: 'ai-sdk-openai',
      title: 'Vercel AI SDK: createOpenAI',
      tab: 'AI SDK (OpenAI)',
      install: 'npm install ai @ai-sdk/openai',
      language: 'javascript',
      code: `import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';

const openai = createOpenAI({ baseURL: '${endpoint}/v1', apiKey: process.env.PORTICO_API_KEY });
const { text } = await generateText({ model: openai('${d}'), prompt: 'Tell me a joke' });
console.log(text);
`,
    },
    {
      id: 'curl',
      title: 'curl',
      tab: 'curl',
      install: '',
      language: 'shell',
      code: `curl "${endpoint}/openai/deployments/${d}/chat/completions?api-version=${API_VERSION}" \\
  -H "api-key: $PORTICO_API_KEY" \\
  -H "content-type: application/json" \\
  -d '{"messages":[{"role":"user","content":"Tell me a joke"}]}'
`,
    },
  ];
}

/** The CompliantChatGPT-compatible chat endpoint, with or without the caller's own OpenAI key. */
function phiChatGroup(baseUrl: string, d: string, byoKey: boolean): SampleGroup {
  return {
    id: 'phi-chat',
    title: 'PHI-safe chat API',
    samples: [
      {
        id: 'phi-chat-fetch',
        title: 'Node.js: fetch',
        tab: 'Node.js',
        install: '',
        language: 'javascript',
        code: `const res = await fetch('${baseUrl}/v1/chat/completions', {
  method: 'POST',
  headers: {
    'x-compliantchatgpt-key': process.env.PORTICO_API_KEY,
${byoKey ? "    'x-openai-key': process.env.OPENAI_API_KEY, // optional: your own OpenAI key\n" : ''}    'Content-Type': 'application/json',
  },
  body: JSON.stringify({
    model: '${d}',
    messages: [{ role: 'user', content: '${PHI_PROMPT}' }],
  }),
});
if (!res.ok) throw new Error(\`Portico answered \${res.status}: \${await res.text()}\`);
console.log((await res.json()).content);
`,
      },
      {
        id: 'phi-chat-python',
        title: 'Python: requests',
        tab: 'Python',
        install: 'pip install requests',
        language: 'python',
        code: `import os
import requests

response = requests.post(
    "${baseUrl}/v1/chat/completions",
    headers={
        "x-compliantchatgpt-key": os.environ["PORTICO_API_KEY"],
${byoKey ? '        "x-openai-key": os.environ["OPENAI_API_KEY"],  # optional: your own OpenAI key\n' : ''}        "Content-Type": "application/json",
    },
    json={
        "model": "${d}",
        "messages": [{"role": "user", "content": "${PHI_PROMPT}"}],
    },
)
response.raise_for_status()
print(response.json()["content"])
`,
      },
      {
        id: 'phi-chat-curl',
        title: 'curl',
        tab: 'curl',
        install: '',
        language: 'shell',
        code: `curl ${baseUrl}/v1/chat/completions \\
  -H "x-compliantchatgpt-key: $PORTICO_API_KEY" \\
${byoKey ? '  -H "x-openai-key: $OPENAI_API_KEY" \\\n' : ''}  -H "content-type: application/json" \\
  -d '{"model":"${d}","messages":[{"role":"user","content":"${PHI_PROMPT}"}]}'
`,
      },
    ],
  };
}

/** The HTTP pass-through of one adapter. */
function adapterGroup(baseUrl: string, adapter: string): SampleGroup {
  return {
    id: 'adapters',
    title: 'HTTP adapters',
    samples: [
      {
        id: 'adapter-curl',
        title: `curl: the ${adapter} adapter`,
        tab: 'curl',
        install: '',
        language: 'shell',
        code: `curl ${baseUrl}/api/public/http/${adapter}/v1/models -H "api-key: $PORTICO_API_KEY"
`,
      },
    ],
  };
}

/** Portico's own API: usage and de-identify. */
function porticoApiGroup(baseUrl: string): SampleGroup {
  return {
    id: 'portico-api',
    title: 'Usage and PHI de-identification',
    samples: [
      {
        id: 'usage',
        title: 'curl: your app’s usage and remaining budget',
        tab: 'Usage',
        install: '',
        language: 'shell',
        code: `# This month by default; ?from=YYYY-MM-DD&to=YYYY-MM-DD for another range (UTC days)
curl -H "api-key: $PORTICO_API_KEY" ${baseUrl}/api/public/v1/usage
`,
      },
      {
        id: 'deidentify',
        title: 'curl: de-identify text',
        tab: 'De-identify',
        install: '',
        language: 'shell',
        code: `curl ${baseUrl}/api/public/v1/phi/deidentify \\
  -H "api-key: $PORTICO_API_KEY" \\
  -H "content-type: application/json" \\
  -d '{"text":"Call Maria Gonzalez at 413-555-0142."}'
`,
      },
    ],
  };
}
