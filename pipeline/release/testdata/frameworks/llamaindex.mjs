// A LlamaIndex.TS retriever over the published kbops collection: the
// WeaviateVectorStore of @llamaindex/weaviate, queried by keyword. Prints
// the retrieved nodes as JSON.
//
// usage: node llamaindex.mjs HTTP_PORT GRPC_PORT COLLECTION QUERY [LANGUAGE] [ACCESS,...]
//
// COLLECTION must be the physical collection the alias points to: the
// store checks that its collection exists, and the client's check does
// not see aliases. The store searches in hybrid mode only, and sends no
// alpha unless the query carries an embedding (and none when the alpha
// is 0); so the query carries a constant stand-in vector (no model is
// called), and the vector half of the search matches nothing because the
// objects have none: what ranks is BM25.
import { WeaviateVectorStore } from '@llamaindex/weaviate';
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { BaseRetriever } from '@llamaindex/core/retriever';
import { VectorStoreQueryMode } from '@llamaindex/core/vector-store';
import { args, connect } from './common.mjs';

// The store wants an embedding model even to query (and asks the global
// Settings for one, which throws, when given none); this one calls no
// model and is never used for ranking.
class ConstantEmbedding extends BaseEmbedding {
  async getTextEmbedding() { return [0]; }
}

class KeywordRetriever extends BaseRetriever {
  constructor(store, { k, filters }) {
    super();
    this.store = store;
    this.k = k;
    this.filters = filters;
  }
  async _retrieve({ query }) {
    const res = await this.store.query({
      queryStr: query, queryEmbedding: [0], mode: VectorStoreQueryMode.HYBRID, alpha: 0,
      similarityTopK: this.k, filters: this.filters,
    });
    return res.nodes.map((node, i) => ({ node, score: res.similarities[i] }));
  }
}

const a = args();
const client = await connect(a);
try {
  const store = new WeaviateVectorStore({ weaviateClient: client, indexName: a.collection, contentKey: 'body', embedModel: new ConstantEmbedding() });
  const filters = [];
  if (a.language) filters.push({ key: 'language', operator: '==', value: a.language });
  if (a.access.length) filters.push({ key: 'access', operator: 'any', value: a.access });
  const nodes = await new KeywordRetriever(store, { k: 5, filters: filters.length ? { filters, condition: 'and' } : undefined }).retrieve(a.query);
  console.log(JSON.stringify(nodes.map(({ node }) => ({ id: node.id_, ...node.metadata, text: node.getContent() }))));
} finally {
  await client.close();
}
