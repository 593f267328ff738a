// Package embed computes text embeddings by calling an embedding service
// a team runs or rents: an OpenAI-compatible `/v1/embeddings` endpoint
// (OpenAI, vLLM, LocalAI, llama.cpp's server, Azure-style gateways) or
// Ollama's `/api/embed`. Publish stores the vectors with each object as
// Weaviate's named vector "text" (weaviate.embeddings), and search embeds
// the question with the same model, so hybrid search runs without a
// vectorizer module on the Weaviate server.
//
// The client batches inputs, retries what a busy service answers (429,
// 5xx, dropped connections), checks that every input got one finite
// vector of one length, and names the URL and model in its errors. An
// error the service gives for the request itself (4xx other than 429) is
// permanent (Permanent reports it), so a caller can retry input by input
// and mark only the input the service refuses.
package embed
