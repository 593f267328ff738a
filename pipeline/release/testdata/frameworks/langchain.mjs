// A LangChain.js retriever over the published kbops collection: the
// WeaviateStore of @langchain/weaviate, queried by keyword. Prints the
// retrieved documents as JSON.
//
// usage: node langchain.mjs HTTP_PORT GRPC_PORT COLLECTION QUERY [LANGUAGE] [ACCESS,...]
//
// The collection has no vectors. WeaviateStore's retriever (asRetriever)
// is vector similarity only, so keyword retrieval is its hybridSearch at
// alpha 0 (all BM25), wrapped in a BaseRetriever. hybridSearch embeds the
// query whatever the alpha, so the store is given a stand-in Embeddings
// that returns a constant vector without calling any model; at alpha 0
// the server does not use it.
import { WeaviateStore } from '@langchain/weaviate';
import { Embeddings } from '@langchain/core/embeddings';
import { BaseRetriever } from '@langchain/core/retrievers';
import { Filters } from 'weaviate-client';
import { args, connect, keywordQuery, shown } from './common.mjs';

class ConstantEmbeddings extends Embeddings {
  async embedQuery() { return [0]; }
  async embedDocuments(texts) { return texts.map(() => [0]); }
}

class KeywordRetriever extends BaseRetriever {
  lc_namespace = ['kbops', 'retrievers'];
  constructor(store, { k, filters }) {
    super({});
    this.store = store;
    this.k = k;
    this.filters = filters;
  }
  async _getRelevantDocuments(question) {
    const { text, properties } = keywordQuery(question);
    return this.store.hybridSearch(text, {
      alpha: 0, queryProperties: properties, limit: this.k, filters: this.filters,
      returnProperties: ['body', ...shown],
    });
  }
}

const a = args();
const client = await connect(a);
try {
  const store = await WeaviateStore.fromExistingIndex(new ConstantEmbeddings({}), {
    client, indexName: a.collection, textKey: 'body', metadataKeys: shown,
  });
  const coll = client.collections.get(a.collection);
  const conds = [];
  if (a.language) conds.push(coll.filter.byProperty('language').like(a.language + '*'));
  if (a.access.length) conds.push(coll.filter.byProperty('access').containsAny(a.access));
  const filters = conds.length === 0 ? undefined : conds.length === 1 ? conds[0] : Filters.and(...conds);
  const docs = await new KeywordRetriever(store, { k: 5, filters }).invoke(a.query);
  console.log(JSON.stringify(docs.map((d) => ({ ...d.metadata, text: d.pageContent }))));
} finally {
  await client.close();
}
