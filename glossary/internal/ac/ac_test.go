package ac

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

type hit struct{ pattern, end int }

func brute(patterns [][]byte, text []byte) []hit {
	var hits []hit
	for end := 1; end <= len(text); end++ {
		var here []hit
		for i, p := range patterns {
			if len(p) <= end && bytes.Equal(text[end-len(p):end], p) {
				here = append(here, hit{i, end})
			}
		}
		slices.SortFunc(here, func(a, b hit) int { return len(patterns[b.pattern]) - len(patterns[a.pattern]) })
		hits = append(hits, here...)
	}
	return hits
}

func scan(a *Automaton, text []byte) []hit {
	var hits []hit
	a.Scan(text, func(p, end int) { hits = append(hits, hit{p, end}) })
	return hits
}

func TestScanFindsEveryOccurrence(t *testing.T) {
	patterns := [][]byte{[]byte("he"), []byte("she"), []byte("his"), []byte("hers"), []byte("s")}
	a, err := Build(patterns)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("ushers and his shes")
	if got, want := scan(a, text), brute(patterns, text); !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestScanMatchesBruteForceOnRandomInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		// A small alphabet makes overlaps and failure chains frequent; a
		// large one exercises the dense rows.
		alpha := 2 + rng.IntN(40)
		seen := map[string]bool{}
		var patterns [][]byte
		for len(patterns) < 1+rng.IntN(60) {
			p := make([]byte, 1+rng.IntN(6))
			for i := range p {
				p[i] = byte('a' + rng.IntN(alpha))
			}
			if !seen[string(p)] {
				seen[string(p)] = true
				patterns = append(patterns, p)
			}
		}
		text := make([]byte, rng.IntN(300))
		for i := range text {
			text[i] = byte('a' + rng.IntN(alpha))
		}
		a, err := Build(patterns)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := scan(a, text), brute(patterns, text); !slices.Equal(got, want) {
			t.Fatalf("round %d: patterns %q text %q:\ngot  %v\nwant %v", round, patterns, text, got, want)
		}
	}
}

func TestBuildRejectsEmptyAndRepeatedPatterns(t *testing.T) {
	if _, err := Build([][]byte{[]byte("a"), {}}); err == nil {
		t.Error("empty pattern accepted")
	}
	if _, err := Build([][]byte{[]byte("ab"), []byte("ab")}); err == nil {
		t.Error("repeated pattern accepted")
	}
	a, err := Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits := scan(a, []byte("anything")); len(hits) != 0 {
		t.Errorf("empty automaton found %v", hits)
	}
}

func TestUTF8Patterns(t *testing.T) {
	patterns := [][]byte{[]byte("变频器"), []byte("频"), []byte("インバータ"), []byte("インバーター")}
	a, err := Build(patterns)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("检查变频器和インバーター")
	if got, want := scan(a, text), brute(patterns, text); !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}
