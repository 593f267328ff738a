package hostsync

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/reviews/kbrepo"
)

func recorderKey(t *testing.T, email string) (*Recorder, string) {
	t.Helper()
	e, err := openpgp.NewEntity("kbops", "", email, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return &Recorder{Name: email, Key: e}, b.String()
}

// TestStrictModeRecorder: in strict mode a host command is recorded when
// kbops signs it with a recorder key OWNERS lists, and the record counts;
// without a listed recorder it is refused. A record whose signed commit
// names a host account OWNERS does not map to the reviewer, or whose
// signature is by another key than the listed recorder's, does not count.
func TestStrictModeRecorder(t *testing.T) {
	ctx := context.Background()
	rec, pub := recorderKey(t, "kbops-bot@example.com")
	other, _ := recorderKey(t, "kbops-bot@example.com") // same name, another key
	unlisted, _ := recorderKey(t, "someone@example.com")
	setup := func(t *testing.T) (*workspace.Workspace, string) {
		r, err := kbrepo.Init(t.TempDir(), "main")
		if err != nil {
			t.Fatal(err)
		}
		u := knowledge.Unit{
			ID: "notes/en/a/grounding", Title: "Grounding", Language: "en", Layer: knowledge.LayerCore,
			Kind: knowledge.KindNote, Product: "vf-200", Tier: knowledge.TierInternal, Owner: "owner@example.com",
			Access: knowledge.AccessCustomer, Status: knowledge.StatusActive, Body: "Connect PE.",
			Effective: knowledge.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
			Source:    knowledge.Source{Name: "notes", Kind: "notes", URI: "file:///a.md", Document: "en/a.md", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Hash: "x"},
		}
		u, _ = knowledge.Revise(nil, u)
		b, _ := knowledge.Marshal(u)
		sig, _ := kbrepo.Signature("kbops <kbops@localhost>", time.Now().Add(-time.Hour))
		owners := "technical:\n  vf-200: [ana@example.com]\nstrict: true\naccounts:\n  ana@example.com: ana\nrecorders:\n  kbops-bot@example.com: |\n" +
			"    " + strings.ReplaceAll(strings.TrimSpace(pub), "\n", "\n    ") + "\n"
		if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Changes: []kbrepo.Change{
			{Path: reviews.OwnersFile, Data: []byte(owners)}, {Path: knowledge.FilePath(u.ID), Data: b},
		}, Message: "ingest", Author: sig}); err != nil {
			t.Fatal(err)
		}
		cfg := &config.Config{Review: config.Review{Branch: "kbops/review", Main: "main"}}
		cfg.Git.Host = config.GitHost{Kind: "gitea", URL: "https://git.example.com", Repo: "docs/kb"}
		return &workspace.Workspace{Root: t.TempDir(), Repo: r, Config: cfg}, u.ID
	}
	status := func(t *testing.T, ws *workspace.Workspace, id string) reviews.UnitStatus {
		snap, _, err := reviews.LoadBranch(ctx, ws.Repo, "kbops/review")
		if err != nil {
			t.Fatal(err)
		}
		return snap.Status(id)
	}
	ev := githost.Event{ID: "comment-1", Kind: githost.KindComment, Author: "ana", Body: "/approve technical", URL: "https://git.example.com/docs/kb/pulls/1#issuecomment-1", At: time.Now()}
	cmd, _ := parseCommand(ev)

	t.Run("listed recorder", func(t *testing.T) {
		ws, id := setup(t)
		cr := decide(ctx, ws, githost.PullRequest{Number: 1}, ev, cmd, Options{Checks: &reviews.CheckOptions{}, Now: time.Now, Recorder: rec})
		if len(cr.Recorded) != 1 {
			t.Fatalf("with a listed recorder: %+v", cr)
		}
		if st := status(t, ws, id); st.State != reviews.StatePending || st.Next != reviews.Expression {
			t.Fatalf("the recorded technical approval does not count: %+v", st)
		}
	})
	t.Run("no or unlisted recorder", func(t *testing.T) {
		ws, _ := setup(t)
		for _, r := range []*Recorder{nil, unlisted} {
			cr := decide(ctx, ws, githost.PullRequest{Number: 1}, ev, cmd, Options{Checks: &reviews.CheckOptions{}, Now: time.Now, Recorder: r})
			if len(cr.Recorded) != 0 || !strings.Contains(cr.Answer, "not recorded. OWNERS is in strict mode") {
				t.Fatalf("recorder %v: %+v", r, cr)
			}
		}
	})
	// Decide checks neither the host account nor, with the same name,
	// the key's trailers: the records below are made as a forger with
	// push access would, and verify must not count them.
	forge := func(t *testing.T, ws *workspace.Workspace, id string, r *Recorder, account string) {
		d := reviews.Decision{Branch: "kbops/review", Reviewer: "ana@example.com", Stage: reviews.Technical, Verdict: reviews.Approved,
			Units: []string{id}, Now: time.Now(), SignKey: r.Key, Trailers: []string{reviews.HostAccountTrailer + ": " + account}}
		if r == other {
			// checkRecorderKey refuses another key: commit it by hand.
			head, _, _ := ws.Repo.Branch("kbops/review")
			s, _ := reviews.Load(ctx, ws.Repo, head)
			u := s.Units[id]
			data, _ := reviews.MarshalApprovals(reviews.ApprovalFile{Unit: id, Records: []reviews.Record{{Stage: reviews.Technical, Verdict: reviews.Approved,
				Reviewer: "ana@example.com", Version: u.Version, ContentHash: u.ContentHash, At: time.Now().UTC().Truncate(time.Second)}}})
			sig, _ := kbrepo.Signature("ana@example.com", time.Now())
			if _, err := ws.Repo.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{head}, Changes: []kbrepo.Change{{Path: reviews.ApprovalPath(id), Data: data}},
				Message: "review: technical approved\n\n" + reviews.HostAccountTrailer + ": ana\n" + reviews.RecorderTrailer + ": kbops-bot@example.com\n", Author: sig, SignKey: other.Key}); err != nil {
				t.Fatal(err)
			}
			return
		}
		d.Recorder = r.Name
		if done, problems, err := reviews.Decide(ctx, ws.Repo, d); err != nil || len(done) != 1 {
			t.Fatalf("forging: %v %v %v", done, problems, err)
		}
	}
	t.Run("unmapped account", func(t *testing.T) {
		ws, id := setup(t)
		forge(t, ws, id, rec, "mallory")
		if st := status(t, ws, id); st.State != reviews.StateInvalid || !strings.Contains(strings.Join(st.Problems, "; "), `the host account "mallory", which OWNERS accounts: does not map to ana@example.com`) {
			t.Fatalf("a recorded decision of an unmapped account: %+v", st)
		}
	})
	t.Run("another key under the recorder's name", func(t *testing.T) {
		ws, id := setup(t)
		forge(t, ws, id, other, "ana")
		if st := status(t, ws, id); st.State != reviews.StateInvalid || !strings.Contains(strings.Join(st.Problems, "; "), "does not verify with the key OWNERS lists for the recorder kbops-bot@example.com") {
			t.Fatalf("a decision signed by another key: %+v", st)
		}
	})
}
