// Package cluster finds near-duplicate texts in a stream: support tickets
// that describe the same problem in nearly the same words.
//
// A text becomes a set of shingles after case folding, with placeholders
// ("<name>") and punctuation dropped: word unigrams and word bigrams for
// scripts that separate words, character bigrams for Chinese, Japanese and
// Korean. A MinHash signature of SignatureSize 32-bit values estimates the
// Jaccard similarity of two shingle sets. The Index finds candidates by
// locality-sensitive hashing (Bands bands of Rows values each: two texts
// with Jaccard similarity s share a band with probability 1-(1-s^Rows)^Bands,
// about 0.97 at s=0.8 and 0.08 at s=0.3) and confirms them on the
// estimated similarity, so a lookup never scans the index.
//
// Memory is about 300 bytes per indexed entry; callers that stream huge
// inputs bound it by removing entries they no longer want matched
// (Index.Remove), see sources/tickets.
package cluster
