// Command kbops-bench measures the whole kbops pipeline on a generated corpus
// of realistic size and prints one table: time, throughput and peak RSS of
// every step, each with the ratio to an anchor measured in the same run on
// the same data.
//
// Every kbops step runs as a child process of a freshly built kbops binary,
// so its peak RSS is the child's rusage Maxrss and nothing of the harness
// (corpus generation, the anchors) is counted in it.
//
// Steps and anchors:
//
//	pdf extract      kbops extract per PDF        vs pdftotext per PDF
//	ingest (full)    kbops ingest                 vs git add -A && git commit of the same unit files
//	ingest (no-op)   kbops ingest, nothing new    vs the full ingest (goal ≤ 5%, and no new commit)
//	ingest (1%)      1% of documents edited       vs the full ingest (goal ≤ 10%)
//	approve          review approve --all-mine, one row per stage   vs the git anchor above (goal ≤ 1× per stage)
//	verify           review verify                vs the git anchor (goal ≤ 0.5×)
//	merge            review merge                 vs the git anchor (goal ≤ 0.5×)
//	publish          kbops publish                vs a raw batch import of the same objects (goal ≥ 0.9×)
//	publish (no-op)  kbops publish, nothing new   vs publish (and it must write nothing)
//	reindex          kbops reindex                vs the raw batch import
//	repository       the .git after the cycle     vs one pack of its reachable objects (goal ≤ 1.5×)
//
// Every row also shows the knowledge repository's .git after the step
// (bytes, loose objects, packs). The goals are in goals.go; the program
// exits 3 when one is missed. The peak-RSS goal (1 GiB per step) is stated
// for the 201,170 units of the full corpus and is checked only for runs of
// at least 200,000 units; smaller runs say so under the table.
//
// When -pdfs is ../shared/corpus/manuals, the corpus query set
// (pipeline/eval/testdata/corpus-queries.yaml) is then measured in a
// workspace of its own on the same server, and its figures per language
// pair are printed after the table (docs/retrieval.md); a figure below the
// file's thresholds is a missed goal.
//
// The corpus size is set with flags or environment variables (see -help):
// the default is 10,000 Markdown documents of 10 sections each (100,000
// units), 100,000 tickets in one CSV export and two copies of each PDF
// found under -pdfs. `make bench` runs it; `make bench BENCH_DOCS=500
// BENCH_TICKETS=2000` runs a small one. The figures and how to reproduce
// them are in docs/performance.md.
//
// The harness needs weaviate-server (a free loopback port pair is picked),
// git, and for the PDF anchor poppler's pdftotext; it uses no network
// beyond loopback.
package main
