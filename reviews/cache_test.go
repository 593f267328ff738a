package reviews

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestParseCacheGivesTheSameSnapshot(t *testing.T) {
	ctx := context.Background()
	r, _ := repoWith(t, unit("Conecte PE."))
	decide(t, r, "ana@example.com", Technical, Approved, time.Now())
	h, _, _ := r.Branch("kbops/review")
	path := filepath.Join(t.TempDir(), "parsed.gob")
	plain, err := Load(ctx, r, h)
	if err != nil {
		t.Fatal(err)
	}
	c := OpenParseCache(path)
	first, err := LoadCached(ctx, r, h, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c2 := OpenParseCache(path)
	if len(c2.Units) != 1 || len(c2.Approvs) != 1 {
		t.Fatalf("cache holds %d units, %d approval files", len(c2.Units), len(c2.Approvs))
	}
	second, err := LoadCached(ctx, r, h, c2)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Snapshot{first, second} {
		if !reflect.DeepEqual(s.Units, plain.Units) || !reflect.DeepEqual(s.Records, plain.Records) {
			t.Error("cached load differs from a plain load")
		}
	}
	// A damaged cache file costs time, never correctness.
	os.WriteFile(path, []byte("garbage"), 0o644)
	third, err := LoadCached(ctx, r, h, OpenParseCache(path))
	if err != nil || !reflect.DeepEqual(third.Units, plain.Units) {
		t.Errorf("load with a damaged cache: %v", err)
	}
}

// The history walk reads the older versions of an approvals file through
// the cache, and finds the same commit behind every record as without it;
// a merge through the cache merges what a plain one does.
func TestParseCacheKeepsHistoryAndMerge(t *testing.T) {
	ctx := context.Background()
	sb := newScaleBase(t, 3, -1)
	for i := range Stages {
		sb.approve(t, i)
	}
	r, t0 := sb.r, sb.t0
	h, _, _ := r.Branch("kbops/review")
	commits := func(s *Snapshot) map[string]string {
		if err := s.ReadHistory(ctx); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for id, m := range s.hist.RecordCommits {
			for k, c := range m {
				out[id+"|"+hex.EncodeToString(k[:])] = c.Hash.String()
			}
		}
		return out
	}
	plain, err := Load(ctx, r, h)
	if err != nil {
		t.Fatal(err)
	}
	want := commits(plain)
	if len(want) != 9 {
		t.Fatalf("plain history: %v, want 9 records", want)
	}
	path := filepath.Join(t.TempDir(), "parsed.gob")
	c := OpenParseCache(path)
	cold, err := LoadCached(ctx, r, h, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := commits(cold); !reflect.DeepEqual(got, want) {
		t.Errorf("history through a cold cache: %v, want %v", got, want)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c = OpenParseCache(path)
	// The snapshot's own versions parsed, the older ones as record ids.
	if len(c.Approvs)+len(c.RecIDs) != 9 || len(c.RecIDs) == 0 {
		t.Errorf("cache holds %d approvals versions and the record ids of %d, want the 9 the walk read", len(c.Approvs), len(c.RecIDs))
	}
	warm, err := LoadCached(ctx, r, h, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := commits(warm); !reflect.DeepEqual(got, want) {
		t.Errorf("history through a warm cache: %v, want %v", got, want)
	}
	res, err := MergeCached(ctx, r, "main", "kbops/review", "ana@example.com", t0.Add(4*time.Hour), nil, c)
	if err != nil || res.Units != 3 {
		t.Fatalf("merge through the cache: %v, %+v", err, res)
	}
	if mh, _, _ := r.Branch("main"); mh != res.Commit {
		t.Errorf("main at %s, merge says %s", mh, res.Commit)
	}
}

// A command that loads another commit (a verify of an empty main, a
// publish of main between approvals) keeps the entries of the branch it
// did not load for a few saves: alternating commands must not parse the
// whole base again each time.
func TestParseCacheKeepsEntriesOfOtherLoadsForAFewSaves(t *testing.T) {
	ctx := context.Background()
	r, _ := repoWith(t, unit("Conecte PE."))
	decide(t, r, "ana@example.com", Technical, Approved, time.Now())
	h, _, _ := r.Branch("kbops/review")
	path := filepath.Join(t.TempDir(), "parsed.gob")
	c := OpenParseCache(path)
	if _, err := LoadCached(ctx, r, h, c); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= keepSaves; i++ {
		c = OpenParseCache(path)
		c.dirty = true // a load of another commit that parsed something else
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		c = OpenParseCache(path)
		if kept := len(c.Units) == 1 && len(c.Approvs) == 1; kept != (i < keepSaves) {
			t.Errorf("after %d saves without using them: %d units, %d approvals files cached", i, len(c.Units), len(c.Approvs))
		}
	}
}

// Each approval stage loads the branch as the one before left it, so every
// stage's versions of the approvals files were once a snapshot's own. A
// later command's history walk demotes those it reads as older versions to
// their record ids, so the cache does not carry every stage of a cycle as
// parsed files; a version another snapshot of the same command loaded
// stays parsed. The history found is the same throughout.
func TestParseCacheKeepsOlderApprovalsVersionsAsRecordIDs(t *testing.T) {
	ctx := context.Background()
	sb := newScaleBase(t, 3, -1)
	r := sb.r
	path := filepath.Join(t.TempDir(), "parsed.gob")
	var tips []plumbing.Hash
	command := func(hs ...plumbing.Hash) (*ParseCache, []*Snapshot) {
		t.Helper()
		c := OpenParseCache(path)
		var snaps []*Snapshot
		for _, h := range hs {
			s, err := LoadCached(ctx, r, h, c)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.ReadHistory(ctx); err != nil {
				t.Fatal(err)
			}
			snaps = append(snaps, s)
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		return c, snaps
	}
	for i := range Stages {
		sb.approve(t, i)
		h, _, _ := r.Branch("kbops/review")
		tips = append(tips, h)
		command(h) // the next stage's load, or the verify after the last
	}
	c := OpenParseCache(path)
	// The last tip's three versions parsed; the six older ones as ids.
	if len(c.Approvs) != 3 || len(c.RecIDs) != 6 {
		t.Errorf("after the cycle the cache holds %d parsed approvals files and the record ids of %d; want the last stage's 3 and 6", len(c.Approvs), len(c.RecIDs))
	}
	plain, err := Load(ctx, r, tips[2])
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.ReadHistory(ctx); err != nil {
		t.Fatal(err)
	}
	// One command loading the first stage's tip (say main, merged after
	// it) and the last: the first tip's versions are older ones in the
	// last tip's history, and stay parsed for it.
	path = filepath.Join(t.TempDir(), "parsed.gob")
	command(tips[0])
	_, snaps := command(tips[0], tips[2])
	if !reflect.DeepEqual(snaps[1].hist.RecordCommits, plain.hist.RecordCommits) {
		t.Error("history through the cache differs from a plain walk")
	}
	c = OpenParseCache(path)
	for id, e := range snaps[0].Tree {
		if _, ok := UnitIDFromApprovalPath(id); !ok {
			continue
		}
		if _, ok := c.Approvs[e.Hash]; !ok {
			t.Errorf("%s of the first tip, which this command loaded, was demoted", id)
		}
	}
}

// A decision puts the approvals files it wrote into the cache, so the next
// stage does not parse them again; what it puts is what a parse of the
// written bytes gives — comments, waivers and pins included — and a load
// through the cache equals a plain one.
func TestDecideCachesWhatAParseGives(t *testing.T) {
	ctx := context.Background()
	r, manual, note, t0 := conflictPair(t, "Dudas: llame a Juan al +52 81 1234 5678 o escriba a juan.perez@example.com.\n")
	path := filepath.Join(t.TempDir(), "parsed.gob")
	decisions := []Decision{
		{Reviewer: "ana@example.com", Stage: Technical, Comment: "checked against the data sheet", Units: []string{manual.ID, note.ID}},
		{Reviewer: "lucia@example.com", Stage: Expression, Units: []string{manual.ID, note.ID}},
		{Reviewer: "carol@example.com", Stage: Consistency, Units: []string{manual.ID, note.ID}},
		{Reviewer: "carol@example.com", Stage: Consistency, Units: []string{note.ID}, Pin: &Pin{Over: manual.ID, Reason: "field data from 2026"}},
	}
	for i, d := range decisions {
		d.Branch, d.Verdict, d.Now = "kbops/review", Approved, t0.Add(time.Duration(i+1)*time.Minute)
		d.Waive = map[string]string{"conflict": "decided by tier", CodePersonalData: "the distributor's published hotline"}
		d.Cache = OpenParseCache(path)
		if _, problems, err := Decide(ctx, r, d); err != nil || len(problems) > 0 {
			t.Fatalf("%s: %v %v", d.Stage, problems, err)
		}
		if err := d.Cache.Save(); err != nil {
			t.Fatal(err)
		}
	}
	c := OpenParseCache(path)
	h, _, _ := r.Branch("kbops/review")
	tip, err := Load(ctx, r, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{manual.ID, note.ID} {
		e := tip.Tree[ApprovalPath(id)]
		got, ok := c.Approvs[e.Hash]
		if !ok {
			t.Fatalf("%s: the version the last decision wrote is not in the cache", id)
		}
		b, err := r.Read(e.Hash)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ParseApprovals(id, b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cached\n%+v\nparsed\n%+v", id, got, want)
		}
	}
	if n := len(tip.Records[note.ID]); n != 4 || len(tip.Records[note.ID][3].Pins) != 1 || tip.Records[note.ID][0].Comment == "" || len(tip.Records[note.ID][1].Waived) != 1 {
		t.Fatalf("the note's records do not hold what the test means to cover: %+v", tip.Records[note.ID])
	}
	cached, err := LoadCached(ctx, r, h, c)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cached.Records, tip.Records) {
		t.Error("a load through the cache differs from a plain load")
	}
}
