package reviews

import (
	"context"
	"fmt"
	"time"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// The termbase is reviewed like a unit: a change of it needs an approval
// bound to its content, by a glossary reviewer who did not write it.
const (
	// GlossaryFile is the termbase's path in the knowledge repository.
	GlossaryFile = glossary.Dir + "/" + glossary.TermbaseFile
	// GlossaryApprovalID names the approval records of the termbase:
	// approvals/glossary.yaml.
	GlossaryApprovalID = "glossary"
	// GlossaryStage is the stage of an approval of the termbase.
	GlossaryStage Stage = "glossary"
)

// GlossaryReviewers lists who may approve termbase changes: the glossary
// reviewers, else the consistency reviewers.
func (o *Owners) GlossaryReviewers() []string {
	if len(o.Glossary) > 0 {
		return sorted(o.Glossary)
	}
	return sorted(o.Consistency)
}

// GlossaryProblems says why the termbase at this snapshot is not approved;
// nil means it is (or there is none). The latest decision by an allowed
// reviewer other than the change's author, for the termbase's exact
// content, counts.
func (s *Snapshot) GlossaryProblems() []string {
	e, ok := s.Tree[GlossaryFile]
	if !ok {
		return nil
	}
	if err := s.ReadHistory(context.Background()); err != nil {
		return []string{fmt.Sprintf("%s: %v", GlossaryFile, err)}
	}
	b, err := s.repo.Read(e.Hash)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", GlossaryFile, err)}
	}
	hash := knowledge.HashBytes(b)
	allowed := s.EffectiveOwners().GlossaryReviewers()
	var last *Record
	var problems []string
	authored := s.authorshipFor(GlossaryApprovalID)
	for i, r := range s.GlossaryRecords {
		if r.Stage != GlossaryStage || r.ContentHash != hash {
			continue
		}
		who := Identity(r.Reviewer)
		switch {
		case !containsID(allowed, who):
			problems = append(problems, fmt.Sprintf("%s: decision by %s, who may not decide termbase changes (allowed: %s)", GlossaryFile, who, orNone(allowed)))
		case who == s.hist.GlossaryAuthor:
			problems = append(problems, fmt.Sprintf("%s: decision by %s does not count: they wrote this change", GlossaryFile, who))
		case authored(r) != nil:
			problems = append(problems, fmt.Sprintf("%s: decision by %s does not count: %v", GlossaryFile, who, authored(r)))
		default:
			if last == nil || !r.At.Before(last.At) {
				last = &s.GlossaryRecords[i]
			}
		}
	}
	switch {
	case last == nil:
		return append(problems, fmt.Sprintf("%s: changed, approval missing (may approve: %s; `kbops review approve --stage glossary`)", GlossaryFile, orNone(allowed)))
	case last.Verdict == Rejected:
		return []string{fmt.Sprintf("%s: rejected by %s: %s", GlossaryFile, last.Reviewer, firstLine(last.Comment))}
	}
	return nil
}

// GlossaryApproved reports whether publish may use the termbase of this
// snapshot: approved for its content, or part of the repository's first
// commit (a workspace created with a termbase).
func (s *Snapshot) GlossaryApproved() bool {
	if _, ok := s.Tree[GlossaryFile]; !ok {
		return false
	}
	if len(s.GlossaryProblems()) == 0 {
		return true
	}
	return s.hist != nil && s.hist.GlossaryInitial
}

func containsID(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// decideGlossary records a decision on the branch's termbase.
func decideGlossary(r *kbrepo.Repo, snap *Snapshot, d Decision, who string, at time.Time) (kbrepo.Change, error) {
	b, ok, err := r.ReadPath(snap.Tree, GlossaryFile)
	if err != nil {
		return kbrepo.Change{}, err
	}
	if !ok {
		return kbrepo.Change{}, fmt.Errorf("no %s on %s: nothing to approve", GlossaryFile, d.Branch)
	}
	allowed := snap.EffectiveOwners().GlossaryReviewers()
	if !containsID(allowed, who) {
		return kbrepo.Change{}, fmt.Errorf("%s may not decide termbase changes (allowed: %s; see OWNERS glossary/consistency)", who, orNone(allowed))
	}
	if snap.hist.GlossaryAuthor == who {
		return kbrepo.Change{}, fmt.Errorf("%s wrote this termbase change and may not approve it", who)
	}
	recs := append(append([]Record(nil), snap.GlossaryRecords...), Record{
		Stage: GlossaryStage, Verdict: d.Verdict, Reviewer: who, ContentHash: knowledge.HashBytes(b), At: at, Comment: d.Comment,
	})
	out, err := MarshalApprovals(ApprovalFile{Unit: GlossaryApprovalID, Records: recs})
	if err != nil {
		return kbrepo.Change{}, err
	}
	return kbrepo.Change{Path: ApprovalPath(GlossaryApprovalID), Data: out}, nil
}
