// What both framework scripts share: the connection, the arguments, and
// the choice of properties a keyword query may be sent to.
import weaviate from 'weaviate-client';

// args reads HTTP_PORT GRPC_PORT COLLECTION QUERY [LANGUAGE] [ACCESS,...].
export function args() {
  const [httpPort, grpcPort, collection, query, language = '', access = ''] = process.argv.slice(2);
  if (!query) {
    console.error('usage: node SCRIPT HTTP_PORT GRPC_PORT COLLECTION QUERY [LANGUAGE] [ACCESS,...]');
    process.exit(2);
  }
  return { httpPort: Number(httpPort), grpcPort: Number(grpcPort), collection, query, language, access: access ? access.split(',') : [] };
}

// connect connects to Weaviate on loopback, with the API key in
// WEAVIATE_API_KEY when it is set.
export function connect(a) {
  const key = process.env.WEAVIATE_API_KEY;
  return weaviate.connectToCustom({
    httpHost: '127.0.0.1', httpPort: a.httpPort, httpSecure: false,
    grpcHost: '127.0.0.1', grpcPort: a.grpcPort, grpcSecure: false,
    ...(key ? { authCredentials: new weaviate.ApiKey(key) } : {}),
  });
}

// keywordQuery returns the text and properties of the one keyword search
// a question makes (docs/weaviate-schema.md): its Han, Kana and Hangul
// runs over the Chinese and Japanese properties when it has any (their
// tokenizers cut Latin text into letters), else the whole question over
// the word-tokenized ones.
export function keywordQuery(q) {
  const cjk = (q.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]+/gu) || []).join(' ');
  return cjk ? { text: cjk, properties: ['text_zh', 'text_ja'] } : { text: q, properties: ['title^2', 'body', 'terms'] };
}

// The properties a hit is shown with.
export const shown = ['unit_id', 'title', 'version', 'language', 'tier', 'access', 'source_uri', 'source_locator'];
