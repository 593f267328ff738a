package glossarypass_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/glossarypass"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

func concept(id, preferred, forbidden string) *glossary.Concept {
	terms := []glossary.Term{{Text: preferred, Status: glossary.StatusPreferred}}
	if forbidden != "" {
		terms = append(terms, glossary.Term{Text: forbidden, Status: glossary.StatusForbidden})
	}
	return &glossary.Concept{ID: id, Langs: []glossary.LangSec{{Locale: "en", Terms: terms}}}
}

// stage commits a termbase holding concepts to branch, as `kbops glossary
// import` does.
func stage(t *testing.T, ws *workspace.Workspace, branch string, cs ...*glossary.Concept) {
	t.Helper()
	store := reviews.TermbaseStore{Repo: ws.Repo, Branch: branch, Main: ws.Config.Review.Main, Author: "Carol Chen <carol.chen@example.com>"}
	err := store.Update(context.Background(), time.Now(), func(tb *glossary.Termbase, _ bool) (bool, error) {
		for _, c := range cs {
			if err := tb.Put(c); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type loader interface {
	Load(context.Context) (*glossary.Termbase, bool, error)
}

func ids(t *testing.T, l loader) []string {
	t.Helper()
	tb, missing, err := l.Load(context.Background())
	if err != nil || missing {
		t.Fatalf("missing %v, %v", missing, err)
	}
	var out []string
	for _, c := range tb.Concepts() {
		out = append(out, c.ID)
	}
	return out
}

// TestEveryOperationReadsTheTermbaseItShould: with one termbase on main,
// an import waiting for review on the review branch and a third edited
// by hand in the working folder, publishing reads main's, the review
// checks and `kbops glossary` read the review branch's (the same the
// import store builds on), and nothing reads the working folder's, which
// is reported as differing.
func TestEveryOperationReadsTheTermbaseItShould(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := workspace.Init(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ws.Config.Review

	// No review branch yet: pending is main.
	stage(t, ws, cfg.Main, concept("inverter", "frequency inverter", ""))
	src, err := glossarypass.Which(ws, glossarypass.Pending)
	if err != nil || src.Branch != cfg.Main {
		t.Fatalf("pending without a review branch: %+v %v", src, err)
	}

	stage(t, ws, cfg.Branch, concept("inverter", "frequency inverter", "frequency changer"), concept("cable", "motor cable", ""))
	hand := glossary.New()
	_ = hand.Put(concept("hand-edit", "hand edit", ""))
	if err := os.MkdirAll(ws.GlossaryDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := glossary.Save(ws.GlossaryDir(), hand); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(ws.GlossaryDir(), glossary.TermbaseFile)); err != nil {
		t.Fatal(err)
	}

	pub, err := glossarypass.Which(ws, glossarypass.Published)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(t, pub); len(got) != 1 || got[0] != "inverter" || pub.Branch != cfg.Main {
		t.Fatalf("published reads %v from %s", got, pub.Name())
	}
	pend, err := glossarypass.Which(ws, glossarypass.Pending)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(t, pend); len(got) != 2 || pend.Branch != cfg.Branch {
		t.Fatalf("pending reads %v from %s", got, pend.Name())
	}
	store := reviews.TermbaseStore{Repo: ws.Repo, Branch: cfg.Branch, Main: cfg.Main}
	if got := ids(t, &store); len(got) != 2 {
		t.Fatalf("the import store reads %v, the checks another termbase", got)
	}
	if !pend.WorkingCopyDiffers() || !pub.WorkingCopyDiffers() {
		t.Fatal("the hand-edited working copy is not reported")
	}

	// The review checks flag the term forbidden by the pending import.
	u := &knowledge.Unit{ID: "notes/x/y", Title: "Wiring", Language: "en", Body: "Switch off the frequency changer first."}
	checks := ingest.ReviewChecks(ctx, ws, plumbing.ZeroHash)
	if checks.Glossary == nil {
		t.Fatal("the review checks have no termbase")
	}
	forbidden := false
	for _, f := range checks.Glossary.Map(u).Findings {
		forbidden = forbidden || f.Code == glossary.CodeForbidden
	}
	if !forbidden {
		t.Fatal("the review checks do not read the review branch's termbase")
	}
	// At main's commit (review check --head main) the term is allowed.
	mainTip, _, _ := ws.Repo.Branch(cfg.Main)
	for _, f := range ingest.ReviewChecks(ctx, ws, mainTip).Glossary.Map(u).Findings {
		if f.Code == glossary.CodeForbidden {
			t.Fatal("checking main's units used the review branch's termbase")
		}
	}
}
