// Package text holds the text utilities kbops applies to knowledge, free of
// I/O: segment (cut sections into retrieval-sized units), lang (detect a
// text's language), redact (find and replace personal data) and cluster
// (near-duplicate clustering of tickets). Ingestion uses them to make
// units, and the review checks to judge them, so they live with the
// knowledge model rather than among the connectors.
package text
