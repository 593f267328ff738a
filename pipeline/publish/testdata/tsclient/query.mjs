// Queries the kbops collection the way an agent front-end does, with the
// official weaviate-client: BM25 over the documented properties, filtered by
// language, returning provenance. Prints the hits as JSON.
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
  const opts = {
    queryProperties: ['title^2', 'body', 'text_zh', 'text_ja', 'terms'],
    limit: 5,
    returnProperties: ['unit_id', 'title', 'version', 'language', 'tier', 'source_uri', 'source_locator'],
  };
  if (lang) opts.filters = coll.filter.byProperty('language').like(lang + '*');
  const res = await coll.query.bm25(query, opts);
  console.log(JSON.stringify(res.objects.map((o) => o.properties)));
} finally {
  await client.close();
}
