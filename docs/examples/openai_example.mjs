// docs/client-guide.md's JavaScript example: the official `openai` package
// pointed at `cerumbra proxy`. tests/proxy/proxy.test.mjs imports and runs
// it against a real proxy and node.
import OpenAI from 'openai';

export async function ask(baseURL) {
  const openai = new OpenAI({ baseURL, apiKey: 'unused' });
  const stream = await openai.chat.completions.create({
    model: 'cerumbra',
    messages: [{ role: 'user', content: 'Hello!' }],
    max_tokens: 8,
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return text;
}
