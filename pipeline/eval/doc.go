// Package eval measures retrieval: it runs the questions of a query file
// through the same search as `kbops search` (release.Search) and scores
// where the units that answer them rank.
//
// A query file (YAML, or JSON Lines with .jsonl) gives each question with
// its language, the target language it is asked with (the --lang filter,
// or none), the language of the answer, and the expected answers: unit
// ids, or a document and heading, so that the file survives
// re-segmentation and new unit ids. Expectations are resolved against the
// approved units on main; one that matches none is an error naming the
// file and line, because a stale query file would otherwise measure
// nothing.
//
// Figures are hit@1, hit@5, MRR and nDCG@10 (binary relevance) per
// language pair and for four summary groups: same language,
// cross-language with the target filter, cross-language without it, and
// overall. The file's thresholds are minimums per group; Report.Failures
// lists each one missed.
package eval
