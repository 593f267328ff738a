package reviews

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// scaleBase is a generated knowledge base on a review branch: main holds
// OWNERS only, the review branch adds n units in one ingest commit.
type scaleBase struct {
	r        *kbrepo.Repo
	main     plumbing.Hash // main's tip
	ingested plumbing.Hash // the review branch after ingest
	ids      []string
	t0       time.Time
}

func newScaleBase(tb testing.TB, n, packFrom int) *scaleBase {
	tb.Helper()
	ctx := context.Background()
	r, err := kbrepo.Init(tb.TempDir(), "main")
	if err != nil {
		tb.Fatal(err)
	}
	r.PackFrom = packFrom
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	sig, _ := kbrepo.Signature("kbops <kbops@localhost>", t0)
	h, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "main", Changes: []kbrepo.Change{{Path: OwnersFile, Data: []byte(owners)}}, Message: "init", Author: sig})
	if err != nil {
		tb.Fatal(err)
	}
	if err := r.SetBranch("kbops/review", h); err != nil {
		tb.Fatal(err)
	}
	changes := make([]kbrepo.Change, 0, n)
	ids := make([]string, n)
	for i := range n {
		// The same values in every unit: statements of one subject with
		// different values are conflicts, and every pair of them is one
		// (BlockingFindings grows with their square), a workload of its own.
		u := unit(fmt.Sprintf("Conecte PE al borne %d con un conductor de 6 mm². Revise la instalación %d antes de la puesta en marcha y anote el resultado en el registro del equipo.", i, i))
		u.ID = fmt.Sprintf("notes/es/doc%04d/seccion-%d", i/10, i)
		u, _ = knowledge.Revise(nil, u)
		data, _ := knowledge.Marshal(u)
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: data})
		ids[i] = u.ID
	}
	ing, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: changes, Message: "ingest", Author: sig})
	if err != nil {
		tb.Fatal(err)
	}
	return &scaleBase{r: r, main: h, ingested: ing, ids: ids, t0: t0}
}

var scaleReviewers = []string{"ana@example.com", "lucia@example.com", "carol@example.com"}

// approve records stage i for every unit as its reviewer.
func (sb *scaleBase) approve(tb testing.TB, i int) {
	tb.Helper()
	_, p, err := Decide(context.Background(), sb.r, Decision{Branch: "kbops/review", Reviewer: scaleReviewers[i], Stage: Stages[i], Verdict: Approved, Units: sb.ids, Now: sb.t0.Add(time.Duration(i+1) * time.Hour)})
	if err != nil || len(p) > 0 {
		tb.Fatalf("approve %s: %v, %d problems (first: %v)", Stages[i], err, len(p), p)
	}
}

// scaleUnits is the size of the generated base; 10,000 keeps one run of
// each benchmark within a minute or two on a shared 2-core machine.
const scaleUnits = 10000

// BenchmarkScaleApprove is `kbops review approve --stage technical
// --all-mine` over 10,000 units: load the review branch, read its
// history, run the blocking checks, write 10,000 approval files in one
// commit. The branch is moved back before each run.
func BenchmarkScaleApprove(b *testing.B) {
	scaleModes(b, func(b *testing.B, packFrom int) {
		sb := newScaleBase(b, scaleUnits, packFrom)
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			if err := sb.r.SetBranch("kbops/review", sb.ingested); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			sb.approve(b, 0)
		}
	})
}

// BenchmarkScaleVerify is `kbops review verify` of 10,000 units approved
// in three stages against main.
func BenchmarkScaleVerify(b *testing.B) {
	scaleModes(b, func(b *testing.B, packFrom int) {
		ctx := context.Background()
		sb := newScaleBase(b, scaleUnits, packFrom)
		for i := range Stages {
			sb.approve(b, i)
		}
		hh, _, _ := sb.r.Branch("kbops/review")
		b.ResetTimer()
		for range b.N {
			head, err := Load(ctx, sb.r, hh)
			if err != nil {
				b.Fatal(err)
			}
			base, err := Load(ctx, sb.r, sb.main)
			if err != nil {
				b.Fatal(err)
			}
			rep, err := VerifyContext(ctx, head, base)
			if err != nil || !rep.OK() || rep.Checked != scaleUnits {
				b.Fatalf("verify: %v checked %d, %d failures", err, rep.Checked, len(rep.Failures))
			}
		}
	})
}

// BenchmarkScaleMerge is `kbops review merge` (a fast-forward) of 10,000
// units approved in three stages. Main and the review branch are put back
// before each run.
func BenchmarkScaleMerge(b *testing.B) { benchScaleMerge(b, false) }

// BenchmarkScaleMergeCached is BenchmarkScaleMerge after a `kbops review
// verify` of the branch: the parse cache holds its units and approvals
// (every version the history walk read), as it does for the command.
func BenchmarkScaleMergeCached(b *testing.B) { benchScaleMerge(b, true) }

func benchScaleMerge(b *testing.B, cached bool) {
	scaleModes(b, func(b *testing.B, packFrom int) {
		ctx := context.Background()
		sb := newScaleBase(b, scaleUnits, packFrom)
		for i := range Stages {
			sb.approve(b, i)
		}
		hh, _, _ := sb.r.Branch("kbops/review")
		var cache *ParseCache
		if cached {
			cache = OpenParseCache(filepath.Join(b.TempDir(), "parsed.gob"))
			head, err := LoadCached(ctx, sb.r, hh, cache)
			if err != nil {
				b.Fatal(err)
			}
			if err := head.ReadHistory(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			if err := sb.r.SetBranch("main", sb.main); err != nil {
				b.Fatal(err)
			}
			if err := sb.r.SetBranch("kbops/review", hh); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := MergeCached(ctx, sb.r, "main", "kbops/review", "ana@example.com", sb.t0.Add(4*time.Hour), nil, cache)
			if err != nil || res.Units != scaleUnits || !res.FastForward {
				b.Fatalf("merge: %v, %+v", err, res)
			}
		}
	})
}

// scaleModes runs a benchmark with every object written loose (the plain
// path, as before packs) and with large commits written as packs.
func scaleModes(b *testing.B, fn func(b *testing.B, packFrom int)) {
	b.Run("loose", func(b *testing.B) { fn(b, -1) })
	b.Run("pack", func(b *testing.B) { fn(b, 0) })
}
