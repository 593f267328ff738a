package reviews

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// History is what the commits behind a snapshot say about it: who wrote
// each unit's current version, the OWNERS file before its last change, and
// which commit added each counting approval record.
type History struct {
	// Authors maps a unit id to the identity (lower-case e-mail) of the
	// author of the commit that last changed the unit's file.
	Authors map[string]string
	// WrittenAt maps a unit id to the time of that commit.
	WrittenAt map[string]time.Time
	// OwnersAuthor wrote the current OWNERS (the commit that last changed it).
	OwnersAuthor string
	// GlossaryAuthor wrote the current termbase; GlossaryInitial is true
	// when it came with the repository's first commit.
	GlossaryAuthor  string
	GlossaryInitial bool
	// OwnersPrev is the OWNERS file in force before that change; nil when
	// the current file is the first one (it is taken as it is).
	OwnersPrev *Owners
	// Untrusted, when set, says why the history behind the snapshot is not
	// the repository's own (a root commit other than its trust root): then
	// no OWNERS in it grants anything.
	Untrusted string
	// PrevBlobs maps a unit id to the blob of its file's previous version
	// (the first parent's side of the commit that wrote the current one);
	// absent or zero for a unit that commit added.
	PrevBlobs map[string]plumbing.Hash
	// RecordCommits maps a unit id (or OwnersApprovalID) and a record's
	// recordID to the commit that added that record.
	RecordCommits map[string]map[recordID]*object.Commit
}

// ReadHistory reads the history behind the snapshot in one walk from its
// commit, newest first, that stops as soon as every unit's author, the
// previous OWNERS and every counting record's commit are
// known. Status, ApprovedUnits and Verify call it on first use; call it
// first to pass a context.
func (s *Snapshot) ReadHistory(ctx context.Context) error {
	if s.hist != nil {
		return nil
	}
	h := &History{Authors: map[string]string{}, WrittenAt: map[string]time.Time{}, PrevBlobs: map[string]plumbing.Hash{}, RecordCommits: map[string]map[recordID]*object.Commit{}}
	if s.repo == nil || s.Commit.IsZero() {
		s.hist = h
		return nil
	}
	// What to find.
	units := map[string]string{} // path → unit id, for units whose author is unknown
	for id := range s.Units {
		units[knowledge.FilePath(id)] = id
	}
	ownersBlob, hasOwners := s.Tree[OwnersFile]
	wantOwners := hasOwners
	glossaryBlob, wantGlossary := s.Tree[GlossaryFile]
	wantPrevOwners := false
	// The commit that added each counting record is always looked for:
	// default mode checks that its author is the reviewer the record
	// names, strict mode also its signature.
	pendingRecs := map[string]map[recordID]bool{} // approvals path → record ids
	{
		for id, recs := range s.Records {
			u := s.Units[id]
			if u == nil {
				continue
			}
			for _, r := range recs {
				if r.ContentHash == u.ContentHash && r.Version == u.Version {
					addPending(pendingRecs, ApprovalPath(id), r.id())
				}
			}
		}
		for _, r := range s.OwnersRecords {
			addPending(pendingRecs, ApprovalPath(OwnersApprovalID), r.id())
		}
		for _, r := range s.GlossaryRecords {
			addPending(pendingRecs, ApprovalPath(GlossaryApprovalID), r.id())
		}
	}
	prefixes := []string{knowledge.UnitsDir + "/", OwnersFile, GlossaryFile, ApprovalsDir + "/"}
	var walkErr error
	err := s.repo.WalkChanges(ctx, s.Commit, prefixes, func(c *object.Commit, changes []kbrepoChange) (bool, error) {
		for _, ch := range changes {
			switch {
			case ch.Path == GlossaryFile:
				if wantGlossary && ch.New == glossaryBlob.Hash {
					wantGlossary = false
					h.GlossaryAuthor = Identity(c.Author.Email)
					h.GlossaryInitial = len(c.ParentHashes) == 0
				}
			case ch.Path == OwnersFile:
				if wantOwners && ch.New == ownersBlob.Hash {
					wantOwners = false
					h.OwnersAuthor = Identity(c.Author.Email)
					if !ch.Old[0].IsZero() {
						if err := s.setPrevOwners(h, ch.Old[0]); err != nil {
							walkErr = err
							return false, nil
						}
					} else if len(c.ParentHashes) > 0 {
						// OWNERS was absent before this commit: an earlier
						// OWNERS, if any, is the one in force.
						wantPrevOwners = true
					}
				} else if wantPrevOwners && !ch.New.IsZero() {
					wantPrevOwners = false
					if err := s.setPrevOwners(h, ch.New); err != nil {
						walkErr = err
						return false, nil
					}
				}
			case units[ch.Path] != "":
				id := units[ch.Path]
				if ch.New == s.Tree[ch.Path].Hash {
					h.Authors[id] = Identity(c.Author.Email)
					h.WrittenAt[id] = c.Author.When
					if !ch.Old[0].IsZero() {
						h.PrevBlobs[id] = ch.Old[0]
					}
					delete(units, ch.Path)
				}
			case pendingRecs[ch.Path] != nil && !ch.New.IsZero():
				if err := s.recordsAddedBy(c, ch, pendingRecs, h); err != nil {
					walkErr = err
					return false, nil
				}
			}
		}
		return len(units) > 0 || wantOwners || wantPrevOwners || wantGlossary || len(pendingRecs) > 0, nil
	})
	if err == nil {
		err = walkErr
	}
	if err != nil {
		return fmt.Errorf("read the history of %s to find who wrote each version: %w", s.Commit, err)
	}
	if h.Untrusted, err = s.checkRoots(ctx); err != nil {
		return err
	}
	s.hist = h
	return nil
}

// checkRoots says why the snapshot's history is not to be trusted ("" when
// it is). Trust in OWNERS starts at the repository's first commit: an
// OWNERS that arrives with an unrelated history (an orphan branch merged
// with --allow-unrelated-histories) would otherwise count as a first
// OWNERS, taken as it is, and grant its writer everything. So the history
// must have exactly one root commit, and it must be the one pinned in the
// local git config (kbops.trustroot, set by `kbops init`) when one is.
func (s *Snapshot) checkRoots(ctx context.Context) (string, error) {
	roots, err := s.repo.Roots(ctx, s.Commit)
	if err != nil {
		return "", fmt.Errorf("read the history of %s to find its first commit: %w", s.Commit, err)
	}
	pin, pinned, err := s.repo.TrustRoot()
	if err != nil {
		return "", err
	}
	names := make([]string, len(roots))
	for i, r := range roots {
		names[i] = r.String()[:12]
	}
	switch {
	case pinned && (len(roots) != 1 || roots[0] != pin):
		return fmt.Sprintf("OWNERS: the history of %s has root commit(s) %s, but this repository's first commit is %s (git config kbops.trustroot): it holds a history that is not this repository's, so no OWNERS in it grants anything; revert the merge that brought it in", s.Commit.String()[:12], strings.Join(names, ", "), pin.String()[:12]), nil
	case len(roots) > 1:
		return fmt.Sprintf("OWNERS: the history of %s has %d root commits (%s); a knowledge repository has one, its first commit: an unrelated history was merged in (git merge --allow-unrelated-histories), so no OWNERS in it grants anything; revert that merge", s.Commit.String()[:12], len(roots), strings.Join(names, ", ")), nil
	}
	return "", nil
}

type kbrepoChange = kbrepo.PathChange

func addPending(m map[string]map[recordID]bool, path string, key recordID) {
	if m[path] == nil {
		m[path] = map[recordID]bool{}
	}
	m[path][key] = true
}

func (s *Snapshot) setPrevOwners(h *History, blob plumbing.Hash) error {
	b, err := s.repo.Read(blob)
	if err != nil {
		return err
	}
	o, err := ParseOwners(OwnersFile+" (previous version)", b)
	if err != nil {
		// An unreadable earlier OWNERS gives nobody any right.
		o = &Owners{}
	}
	h.OwnersPrev = o
	return nil
}

// recordsAddedBy notes which pending records of an approvals file commit c
// added: those in its version that none of its parents had.
func (s *Snapshot) recordsAddedBy(c *object.Commit, ch kbrepoChange, pending map[string]map[recordID]bool, h *History) error {
	// Each version of an approvals file is the new side of one commit and
	// the old side of the next: its record ids are kept for the walk, as
	// a sorted slice of 16-byte ids (a map of key strings per version
	// was the largest part of publish's heap).
	keys := func(blob plumbing.Hash) (recordIDs, error) {
		if blob.IsZero() {
			return nil, nil
		}
		if k, ok := s.recKeys[blob]; ok {
			return k, nil
		}
		if s.recKeys == nil {
			s.recKeys = map[plumbing.Hash]recordIDs{}
		}
		var recs []Record
		// The snapshot's own version is what Load already parsed.
		if e, ok := s.Tree[ch.Path]; ok && e.Hash == blob {
			id, _ := UnitIDFromApprovalPath(ch.Path)
			recs = s.Records[id]
			switch id {
			case OwnersApprovalID:
				recs = s.OwnersRecords
			case GlossaryApprovalID:
				recs = s.GlossaryRecords
			}
		} else if ids, ok := s.cache.olderRecordIDs(blob); ok {
			s.recKeys[blob] = ids
			return ids, nil
		} else {
			b, err := s.repo.Read(blob)
			if err != nil {
				return nil, err
			}
			f, err := ParseApprovals(ch.Path, b)
			if err != nil {
				s.recKeys[blob] = nil
				return nil, nil // an unreadable old version added nothing we count
			}
			// Only its record ids are kept: an older version is never
			// a snapshot's own.
			ids := newRecordIDs(f.Records)
			s.cache.putRecordIDs(blob, ids)
			s.recKeys[blob] = ids
			return ids, nil
		}
		out := newRecordIDs(recs)
		s.recKeys[blob] = out
		return out, nil
	}
	now, err := keys(ch.New)
	if err != nil {
		return err
	}
	before := make([]recordIDs, 0, len(ch.Old))
	for _, o := range ch.Old {
		k, err := keys(o)
		if err != nil {
			return err
		}
		before = append(before, k)
	}
	id, _ := UnitIDFromApprovalPath(ch.Path)
	for k := range pending[ch.Path] {
		if !now.has(k) || slices.ContainsFunc(before, func(b recordIDs) bool { return b.has(k) }) {
			continue
		}
		if h.RecordCommits[id] == nil {
			h.RecordCommits[id] = map[recordID]*object.Commit{}
		}
		h.RecordCommits[id][k] = c
		delete(pending[ch.Path], k)
	}
	if len(pending[ch.Path]) == 0 {
		delete(pending, ch.Path)
	}
	return nil
}

// prevOwner returns the owner named by the previous version of the unit's
// file; ok is false for a new unit or an unreadable version. Only the
// technical stage of a unit needs it, so it is read on demand.
func (s *Snapshot) prevOwner(id string) (string, bool) {
	if s.ReadHistory(context.Background()) != nil {
		return "", false
	}
	blob, ok := s.hist.PrevBlobs[id]
	if !ok {
		return "", false
	}
	b, err := s.repo.Read(blob)
	if err != nil {
		return "", false
	}
	// A hash mismatch still names the owner the file had.
	u, _ := knowledge.Parse(knowledge.FilePath(id), b)
	return u.Owner, u.Owner != ""
}

// Author returns who wrote the unit's current version ("" when unknown).
func (s *Snapshot) Author(id string) string {
	if s.ReadHistory(context.Background()) != nil {
		return ""
	}
	return s.hist.Authors[id]
}

// EffectiveOwners is the OWNERS in force: the committed file when it is the
// first one or its last change was approved by the people the previous
// one requires (see OwnersChangeRequirements), else the previous file.
func (s *Snapshot) EffectiveOwners() *Owners {
	if s.effective != nil {
		return s.effective
	}
	if err := s.ReadHistory(context.Background()); err == nil && s.hist.Untrusted != "" {
		s.ownersProblems = []string{s.hist.Untrusted}
		s.effective = &Owners{}
		return s.effective
	}
	if err := s.ReadHistory(context.Background()); err != nil || s.hist.OwnersPrev == nil {
		s.effective = s.Owners
		return s.effective
	}
	prev := s.hist.OwnersPrev
	b, _, _ := s.repo.ReadPath(s.Tree, OwnersFile)
	proof := s.authorshipFor(OwnersApprovalID)
	if prev.Strict || s.Owners.Strict {
		// The previous keys decide: a new key cannot vouch for itself.
		proof = s.proofFor(OwnersApprovalID, prev)
	}
	s.ownersProblems = CheckOwnersChange(prev, s.Owners, OwnersHash(b), s.OwnersRecords, s.hist.OwnersAuthor, proof)
	if len(s.ownersProblems) > 0 {
		s.effective = prev
	} else {
		s.effective = s.Owners
	}
	return s.effective
}

func (s *Snapshot) proofFor(id string, o *Owners) func(Record) error {
	return func(r Record) error { return s.proofOf(id, r, o) }
}

// ErrUnsigned marks an approval that strict mode does not accept.
var ErrUnsigned = errors.New("strict mode (OWNERS) requires approvals in commits signed by their reviewer")

func (s *Snapshot) proofOf(id string, r Record, o *Owners) error {
	c := s.recordCommit(id, r)
	who := Identity(r.Reviewer)
	if c == nil {
		return fmt.Errorf("%w: no commit adding this record was found (history rewritten, e.g. squash-merged?)", ErrUnsigned)
	}
	short := c.Hash.String()[:12]
	if Identity(c.Author.Email) != who {
		return fmt.Errorf("%w: commit %s that added it is by %s", ErrUnsigned, short, Identity(c.Author.Email))
	}
	if c.PGPSignature == "" {
		return fmt.Errorf("%w: commit %s is not signed; approve with --sign-key", ErrUnsigned, short)
	}
	if rec, ok := trailer(c.Message, RecorderTrailer); ok {
		return recorderProof(c, short, who, Identity(rec), o)
	}
	key := o.Keys[who]
	if key == "" {
		return fmt.Errorf("%w: OWNERS lists no key for %s under keys:", ErrUnsigned, who)
	}
	if _, err := c.Verify(key); err != nil {
		return fmt.Errorf("%w: the signature of commit %s does not verify with the key OWNERS lists for %s: %v", ErrUnsigned, short, who, err)
	}
	return nil
}

// RecorderTrailer names, in a decision commit kbops made from the git
// host, the recorder whose key signed it.
const RecorderTrailer = "Kbops-Recorder"

// HostAccountTrailer names the host account that typed the decision.
const HostAccountTrailer = "Kbops-Host-Account"

// recorderProof accepts a decision recorded from the git host: the commit
// is signed with the key OWNERS lists for the recorder it names, and the
// host account it names is the one OWNERS maps the reviewer to. What
// that trusts: the recorder (whoever holds its key) and the host's login.
func recorderProof(c *object.Commit, short, who, rec string, o *Owners) error {
	key := o.Recorders[rec]
	if key == "" {
		return fmt.Errorf("%w: commit %s was signed by the recorder %s, which OWNERS does not list under recorders:", ErrUnsigned, short, rec)
	}
	if _, err := c.Verify(key); err != nil {
		return fmt.Errorf("%w: the signature of commit %s does not verify with the key OWNERS lists for the recorder %s: %v", ErrUnsigned, short, rec, err)
	}
	acct, _ := trailer(c.Message, HostAccountTrailer)
	if want := o.Accounts[who]; want == "" || strings.ToLower(acct) != want {
		return fmt.Errorf("%w: commit %s records a decision of the host account %q, which OWNERS accounts: does not map to %s", ErrUnsigned, short, acct, who)
	}
	return nil
}

// trailer is the value of the last "Key: value" line of key in msg.
func trailer(msg, key string) (string, bool) {
	v, ok := "", false
	for _, l := range strings.Split(msg, "\n") {
		if rest, found := strings.CutPrefix(l, key+": "); found {
			v, ok = strings.TrimSpace(rest), true
		}
	}
	return v, ok
}

// ErrNotAuthored marks an approval whose commit was not authored by the
// reviewer the record names: in default mode the record's text alone
// proves nothing, since anyone with push access can write it.
var ErrNotAuthored = errors.New("an approval counts only in a commit authored by its reviewer")

// authorshipFor is default mode's proof: the commit that added the record
// is authored by the reviewer it names. Git authorship is what the
// committer says, so this stops a careless or casual forgery (a record
// written under another name in one's own commit), not a determined one;
// strict mode's signatures do that.
func (s *Snapshot) authorshipFor(id string) func(Record) error {
	return func(r Record) error {
		c := s.recordCommit(id, r)
		if c == nil {
			return fmt.Errorf("%w: no commit adding this record was found (history rewritten, e.g. squash-merged?)", ErrNotAuthored)
		}
		if got := Identity(c.Author.Email); got != Identity(r.Reviewer) {
			return fmt.Errorf("%w: commit %s that added it is by %s", ErrNotAuthored, c.Hash.String()[:12], got)
		}
		return nil
	}
}

func (s *Snapshot) recordCommit(id string, r Record) *object.Commit {
	if s.ReadHistory(context.Background()) != nil {
		return nil
	}
	return s.hist.RecordCommits[id][r.id()]
}
