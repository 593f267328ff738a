// Package pipeline holds the stages that move knowledge from sources to
// Weaviate: configuration (config), the workspace (workspace), ingestion
// (ingest), the embedded Weaviate server (embedded) and publishing
// (publish). Each lives in its own sub-package; this package has no code.
package pipeline
