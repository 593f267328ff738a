// Drives the kbops MCP server as an agent built on the official
// TypeScript SDK would: connect over Streamable HTTP with an API key,
// list the tools, search, and read the unit resource of every hit. Prints
// one JSON object for the Go test to check.
//
//   node agent.mjs ENDPOINT KEY QUERY [TARGET_LANGUAGE]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [endpoint, key, query, target] = process.argv.slice(2);
const headers = key ? { Authorization: `Bearer ${key}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers } });
const client = new Client({ name: "kbops-ts-agent", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
const args = { query, limit: 3 };
if (target) args.target_language = target;
const res = await client.callTool({ name: "search_knowledge", arguments: args });
if (res.isError) {
  console.error("search_knowledge failed:", JSON.stringify(res.content));
  process.exit(1);
}
const hits = res.structuredContent.hits;
const resources = [];
for (const h of hits) {
  const r = await client.readResource({ uri: h.uri });
  const c = r.contents[0];
  resources.push({ uri: c.uri, mimeType: c.mimeType, unit: JSON.parse(c.text) });
}
console.log(JSON.stringify({ tools: tools.map((t) => t.name), hits, resources }));
await client.close();
