// Package publishbench holds the anchor publish is measured against: the
// Weaviate client's batcher alone writing the same objects. The publish
// benchmark and cmd/kbops-bench both report publish's throughput as a
// share of it, so they use this one implementation.
package publishbench
