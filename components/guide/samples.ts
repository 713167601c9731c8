export const API_VERSION = '2025-01-01-preview';

export interface Sample {
  id: string;
  title: string;
  install: string;
  language: string;
  code: string;
}

/** The guide's samples with this server's base URL and the app's deployment filled in. Keys come from the environment. */
export function samples(baseUrl: string, deployment: string): Sample[] {
  const endpoint = `${baseUrl}/api/public/oai`;
  return [
    {
      id: 'python',
      title: 'Python: openai (AzureOpenAI)',
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
    model="${deployment}",
    messages=[{"role": "user", "content": "How do I output all files in a directory using Python?"}],
)
print(completion.choices[0].message.content)
`,
    },
    {
      id: 'langchain',
      title: 'Python: LangChain (AzureChatOpenAI)',
      install: 'pip install langchain-openai',
      language: 'python',
      code: `import os
from langchain_openai import AzureChatOpenAI
from langchain_core.messages import HumanMessage, SystemMessage

model = AzureChatOpenAI(
    azure_endpoint="${endpoint}",
    api_key=os.environ["PORTICO_API_KEY"],
    azure_deployment="${deployment}",
    openai_api_version="${API_VERSION}",
)
answer = model.invoke([SystemMessage("Translate the following from English into Italian"), HumanMessage("hi!")])
print(answer.content)
`,
    },
    {
      id: 'node',
      title: 'Node.js: openai (AzureOpenAI)',
      install: 'npm install openai',
      language: 'javascript',
      code: `import { AzureOpenAI } from 'openai';

const client = new AzureOpenAI({
  endpoint: '${endpoint}',
  apiKey: process.env.PORTICO_API_KEY,
  apiVersion: '${API_VERSION}',
  deployment: '${deployment}',
});
const response = await client.chat.completions.create({
  model: '${deployment}',
  messages: [{ role: 'user', content: 'Tell me a joke' }],
});
console.log(response.choices[0].message.content);
`,
    },
    {
      id: 'curl',
      title: 'curl',
      install: '',
      language: 'shell',
      code: `curl "${endpoint}/openai/deployments/${deployment}/chat/completions?api-version=${API_VERSION}" \\
  -H "api-key: $PORTICO_API_KEY" \\
  -H "content-type: application/json" \\
  -d '{"messages":[{"role":"user","content":"Tell me a joke"}]}'
`,
    },
  ];
}
