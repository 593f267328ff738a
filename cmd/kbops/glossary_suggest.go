package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/glossary/mine"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/align"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

type glossarySuggestOptions struct {
	Mine   mine.Options
	DryRun bool
	JSON   bool
	// Show bounds the suggestions printed (0: all); all are written.
	Show  int
	Store *reviews.TermbaseStore
}

// suggestionJSON is one suggestion of `kbops glossary suggest --json`.
type suggestionJSON struct {
	Concept  string      `json:"concept"`
	Langs    [2]string   `json:"langs"`
	Terms    [2]string   `json:"terms"`
	Score    float64     `json:"score"`
	Together int         `json:"together"`
	Counts   [2]int      `json:"counts"`
	Evidence [][2]string `json:"evidence"`
}

// runGlossarySuggest mines term pairs from the translation siblings among
// the active units of the review branch (else main) and commits them to
// the termbase on the review branch as new concepts, where a glossary
// reviewer approves them (or edits them out) before search uses them.
func runGlossarySuggest(ctx context.Context, ws *workspace.Workspace, opts glossarySuggestOptions, out io.Writer) error {
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
	if err != nil {
		return err
	}
	if !ok {
		if snap, ok, err = reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Main); err != nil {
			return err
		}
		if !ok {
			return usageErr("no %s branch: run `kbops init` and `kbops ingest` first", ws.Config.Review.Main)
		}
	}
	var units []*knowledge.Unit
	for _, id := range snap.IDs() {
		if u := snap.Units[id]; u.Status == knowledge.StatusActive {
			units = append(units, u)
		}
	}
	pairs := align.Pairs(units, align.Options{})
	var sugg []mine.Suggestion
	var ids []string
	change := func(tb *glossary.Termbase, _ bool) (bool, error) {
		sugg = mine.Suggest(units, pairs, knownTerms(tb), opts.Mine)
		ids = ids[:0]
		for _, s := range sugg {
			c := minedConcept(tb, s)
			if err := tb.Put(c); err != nil {
				return false, fmt.Errorf("mined concept %s: %w", c.ID, err)
			}
			ids = append(ids, c.ID)
		}
		return !opts.DryRun && len(sugg) > 0, nil
	}
	if opts.DryRun {
		tb, _, err := opts.Store.Load(ctx)
		if err != nil {
			return err
		}
		if _, err := change(tb.Clone(), false); err != nil {
			return err
		}
	} else if err := opts.Store.Update(ctx, time.Now(), change); err != nil {
		return err
	}
	if opts.JSON {
		js := make([]suggestionJSON, len(sugg))
		for i, s := range sugg {
			js[i] = suggestionJSON{Concept: ids[i], Langs: s.Langs, Terms: s.Terms, Score: round2(s.Score), Together: s.Together, Counts: s.Counts, Evidence: s.Evidence}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(js)
	}
	fmt.Fprintf(out, "%d aligned unit pairs among %d active units of %s\n", len(pairs), len(units), shortHash(snap.Commit.String()))
	for i, s := range sugg {
		if opts.Show > 0 && i == opts.Show {
			fmt.Fprintf(out, "  … and %d more (--show 0 lists all, --json gives the evidence)\n", len(sugg)-i)
			break
		}
		fmt.Fprintf(out, "  %s\n", s)
		if len(s.Evidence) > 0 {
			fmt.Fprintf(out, "      e.g. %s ↔ %s\n", knowledge.FilePath(s.Evidence[0][0]), knowledge.FilePath(s.Evidence[0][1]))
		}
	}
	switch {
	case len(sugg) == 0:
		fmt.Fprintln(out, "no term pairs to suggest (the editions need at least --min-pairs aligned units naming a term)")
	case opts.DryRun:
		fmt.Fprintf(out, "%d term pairs (dry run: nothing written)\n", len(sugg))
	default:
		fmt.Fprintf(out, "%d term pairs added to %s as concepts mined-…; a glossary reviewer edits and approves them (kbops review approve --stage glossary), the next `kbops ingest` lists them on the units, and search uses them once those are approved and published\n", len(sugg), opts.Store.Name())
	}
	return nil
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// knownTerms reports the terms the termbase has in a language, whatever
// their concept: suggest proposes only what it does not know.
func knownTerms(tb *glossary.Termbase) mine.Known {
	known := map[string]bool{}
	for _, c := range tb.Concepts() {
		for _, l := range c.Langs {
			for _, t := range l.Terms {
				known[glossary.PrimaryLanguage(l.Locale)+"\x00"+strings.ToLower(t.Text)] = true
			}
		}
	}
	return func(lang, term string) bool { return known[lang+"\x00"+strings.ToLower(term)] }
}

// minedConcept is suggestion s as a new concept: an id from its terms
// (free in tb), both terms admitted, and the evidence in its notes, so the
// reviewer sees why it is proposed.
func minedConcept(tb *glossary.Termbase, s mine.Suggestion) *glossary.Concept {
	base := "mined-" + s.Langs[0] + "-" + s.Langs[1] + "-" + slug(s.Terms)
	id := base
	for n := 2; tb.Concept(id) != nil; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	note := fmt.Sprintf("mined by kbops glossary suggest: score %.2f, together in %d aligned unit pairs (%s in %d, %s in %d)",
		s.Score, s.Together, s.Langs[0], s.Counts[0], s.Langs[1], s.Counts[1])
	for _, e := range s.Evidence {
		note += "; " + e[0] + " = " + e[1]
	}
	c := &glossary.Concept{ID: id, Notes: []string{note}}
	for i, l := range s.Langs {
		c.Langs = append(c.Langs, glossary.LangSec{Locale: l, Terms: []glossary.Term{{Text: s.Terms[i], Status: glossary.StatusAdmitted}}})
	}
	glossary.Normalize(c)
	return c
}

// slug is the first term that has ASCII letters, lower case with dashes;
// else a hash of both terms.
func slug(terms [2]string) string {
	for _, t := range terms {
		var b strings.Builder
		for _, r := range strings.ToLower(t) {
			switch {
			case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
				b.WriteRune(r)
			case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
				b.WriteByte('-')
			}
		}
		if s := strings.Trim(b.String(), "-"); len(s) >= 2 {
			return s
		}
	}
	h := fnv.New32a()
	h.Write([]byte(terms[0] + "\x00" + terms[1]))
	return fmt.Sprintf("%08x", h.Sum32())
}
