// Package evaltest writes the workspace the corpus query set
// (pipeline/eval/testdata/corpus-queries.yaml) is measured in, for the
// test that runs it in `go test` and for kbops-bench: the same manuals,
// products and reviewers in both, so their figures are the same figures.
package evaltest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// QueryFile is the path of the corpus query set.
func QueryFile() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "corpus-queries.yaml")
}

// Source is one source of the corpus workspace: a glob under the corpus
// manuals folder and the product it documents.
type Source struct{ Name, Product, Glob string }

// Sources are the manuals the query set asks about (LAP-TEQ PLUS en/de,
// CH32V00x EVB en/zh) and five distractors (WCH-Link en, two WCH notes
// zh, the Seeed page ja, the PAN-C chapter de). The 179-page CH32V003
// reference manual is left out for time, the HTML and Markdown copies of
// LAP-TEQ chapter 8 because they duplicate answers the query file names
// by one document.
var Sources = []Source{
	{"lapteq", "lap-teq-plus", "teqsas_LAP-TEQ-PLUS_*.pdf"},
	{"evb", "ch32v00x", "wch_CH32V00x_*.pdf"},
	{"wchlink", "wch-link", "wch_WCH-Link_UserManual_en.pdf"},
	{"wchnotes", "ch32v003", "wch_*_usage_zh.pdf"},
	{"seeed", "grove", "seeed_Grove-Screw_Terminal_ja.md"},
	{"panc", "pan-c", "teqsas_PAN-C_05_Bedienung_de.md"},
}

// Reviewers approve the three stages of every unit of the workspace, in
// stage order (technical, expression, consistency); the first also merges.
var Reviewers = [3]string{"T <tech@example.com>", "L <lang@example.com>", "C <cons@example.com>"}

// Waivers are the approve flags the corpus needs: the two LAP-TEQ
// editions state dimensions of different parts of the set, which the
// conflict check cannot tell apart, and the manuals carry the vendors'
// addresses.
var Waivers = []string{"--waive", "conflict=editions of one manual", "--waive", "personal-data=vendor addresses"}

// WriteWorkspace writes kbops.yaml and OWNERS into ws (created if
// missing) for the corpus manuals folder manuals and the Weaviate at
// httpURL with gRPC at grpcHost, with Sources and the extra ones. `kbops
// init ws` makes it a workspace.
func WriteWorkspace(ws, manuals, httpURL, grpcHost string, extra ...Source) error {
	var cfg, owners strings.Builder
	cfg.WriteString("version: 1\nlanguages: [en, zh, es, de, fr, ja]\ndefaults: {language: en, access: public}\nsources:\n")
	owners.WriteString("technical:\n")
	owned := map[string]bool{}
	for _, s := range append(Sources[:len(Sources):len(Sources)], extra...) {
		fmt.Fprintf(&cfg, "  - {name: %s, kind: manuals, owner: tech@example.com, product: %s, location: %q}\n",
			s.Name, s.Product, filepath.Join(manuals, s.Glob))
		if !owned[s.Product] {
			owned[s.Product] = true
			fmt.Fprintf(&owners, "  %s: [tech@example.com]\n", s.Product)
		}
	}
	fmt.Fprintf(&cfg, "review: {branch: kbops/review, main: main}\nweaviate: {collection: EvalUnit, url: %q, grpc: %q}\ngit: {author: \"kbops <kbops@example.com>\"}\n", httpURL, grpcHost)
	owners.WriteString("expression:\n")
	for _, l := range []string{"en", "de", "zh", "ja", "es", "fr", "pt"} {
		fmt.Fprintf(&owners, "  %s: [lang@example.com]\n", l)
	}
	owners.WriteString("consistency: [cons@example.com]\nadmins: [tech@example.com]\n")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ws, "OWNERS"), []byte(owners.String()), 0o644)
}

// Stages are the review stages in order, matching Reviewers.
var Stages = [3]string{"technical", "expression", "consistency"}
