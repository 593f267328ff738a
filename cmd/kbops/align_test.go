package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge/align"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
)

// handAlignment is knowledge/align/testdata/corpus-alignment.yaml.
type handAlignment struct {
	Pairs []struct {
		A, B     string
		Sections [][2]string
	}
}

// The siblings kbops derives for the corpus editions (LAP-TEQ PLUS user
// manual en/de, CH32V00x evaluation-board manual en/zh) against a hand
// alignment of every section: precision and recall at least 0.9, and no
// sibling across products or within one language.
func TestSiblingsMatchTheHandAlignment(t *testing.T) {
	srv := weaviatetest.Start(t)
	dir := corpusWorkspace(t, srv)
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := release.LoadMain(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "align", "testdata", "corpus-alignment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hand handAlignment
	if err := yaml.Unmarshal(b, &hand); err != nil {
		t.Fatal(err)
	}
	// document + heading → unit id, as the eval's expectations are named.
	ids := map[[2]string]string{}
	product, lang := map[string]string{}, map[string]string{}
	for _, u := range m.Approved {
		ids[[2]string{path.Base(u.Source.Document), u.Title}] = u.ID
		product[u.ID], lang[u.ID] = u.Product, u.Language
	}
	want := map[[2]string]bool{}
	inHand := map[string]bool{}
	for _, p := range hand.Pairs {
		for _, s := range p.Sections {
			a, b := ids[[2]string{p.A, s[0]}], ids[[2]string{p.B, s[1]}]
			if a == "" || b == "" {
				t.Fatalf("hand alignment names a section the corpus workspace lacks: %s %q (%q) / %s %q (%q)", p.A, s[0], a, p.B, s[1], b)
			}
			want[key(a, b)] = true
			inHand[a], inHand[b] = true, true
		}
	}
	got := align.Pairs(m.Approved, align.Options{})
	var right, judged int
	var wrong []string
	for _, p := range got {
		if product[p.A] != product[p.B] || lang[p.A] == lang[p.B] {
			t.Errorf("sibling pair %s / %s: products %q %q, languages %q %q", p.A, p.B, product[p.A], product[p.B], lang[p.A], lang[p.B])
		}
		if !inHand[p.A] && !inHand[p.B] {
			continue // a pair of documents the hand alignment does not cover
		}
		judged++
		if want[key(p.A, p.B)] {
			right++
		} else {
			wrong = append(wrong, fmt.Sprintf("%s / %s (score %.1f)", p.A, p.B, p.Score))
		}
	}
	found := map[[2]string]bool{}
	for _, p := range got {
		found[key(p.A, p.B)] = true
	}
	var missed []string
	for k := range want {
		if !found[k] {
			missed = append(missed, k[0]+" / "+k[1])
		}
	}
	sort.Strings(missed)
	precision := float64(right) / float64(max(judged, 1))
	recall := float64(right) / float64(len(want))
	t.Logf("alignment: %d hand pairs, %d found, %d right: precision %.3f, recall %.3f", len(want), judged, right, precision, recall)
	for _, w := range wrong {
		t.Logf("wrong: %s", w)
	}
	for _, w := range missed {
		t.Logf("missed: %s", w)
	}
	if precision < 0.9 || recall < 0.9 {
		t.Errorf("precision %.3f, recall %.3f; want both at least 0.9", precision, recall)
	}
}

func key(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}
