// Queries the kbops collection the way an agent front-end does, with the
// official weaviate-client, as docs/weaviate-schema.md describes: BM25 of
// the query over the word-tokenized properties, and of its Han/Kana/Hangul
// runs only over the Chinese and Japanese ones (whose tokenizers cut Latin
// text into letters), scores summed per unit; filtered by language,
// returning provenance. Prints the hits as JSON.
//
// usage: node query.mjs HTTP_PORT GRPC_PORT COLLECTION QUERY [LANGUAGE_PREFIX]
import weaviate from 'weaviate-client';

const [httpPort, grpcPort, collection, query, lang] = process.argv.slice(2);
const client = await weaviate.connectToCustom({
  httpHost: '127.0.0.1', httpPort: Number(httpPort), httpSecure: false,
  grpcHost: '127.0.0.1', grpcPort: Number(grpcPort), grpcSecure: false,
});
try {
  const coll = client.collections.get(collection);
  const limit = 5;
  const cjk = (query.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]+/gu) || []).join(' ');
  const searches = [[query, ['title^2', 'body', 'terms']]];
  if (cjk) searches.push([cjk, ['text_zh', 'text_ja']]);
  const found = new Map();
  for (const [text, props] of searches) {
    const opts = {
      queryProperties: props,
      limit: searches.length > 1 ? Math.max(2 * limit, 20) : limit,
      returnProperties: ['unit_id', 'title', 'version', 'language', 'tier', 'source_uri', 'source_locator'],
      returnMetadata: ['score'],
    };
    if (lang) opts.filters = coll.filter.byProperty('language').like(lang + '*');
    const res = await coll.query.bm25(text, opts);
    for (const o of res.objects) {
      const id = o.properties.unit_id;
      const prev = found.get(id);
      if (prev) prev.score += o.metadata.score;
      else found.set(id, { props: o.properties, score: o.metadata.score });
    }
  }
  const hits = [...found.values()].sort((a, b) => b.score - a.score).slice(0, limit);
  console.log(JSON.stringify(hits.map((h) => h.props)));
} finally {
  await client.close();
}
