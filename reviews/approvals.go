package reviews

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
)

// ApprovalsDir is the repository folder of approval records, one file per
// unit, mirroring the unit's path under units/.
const ApprovalsDir = "approvals"

// ApprovalPath is the repository path of a unit's approval records.
func ApprovalPath(id string) string { return ApprovalsDir + "/" + id + ".yaml" }

// UnitIDFromApprovalPath returns the unit id of an approvals path.
func UnitIDFromApprovalPath(p string) (string, bool) {
	if !strings.HasPrefix(p, ApprovalsDir+"/") || !strings.HasSuffix(p, ".yaml") {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimPrefix(p, ApprovalsDir+"/"), ".yaml"), true
}

// Verdict is a reviewer's decision.
type Verdict string

// Verdicts.
const (
	Approved Verdict = "approved"
	Rejected Verdict = "rejected"
)

// Record is one review decision. It binds the stage, the reviewer and the
// exact content hash, so an edit of the unit voids it.
type Record struct {
	Stage       Stage     `yaml:"stage"`
	Verdict     Verdict   `yaml:"verdict"`
	Reviewer    string    `yaml:"reviewer"`
	Version     int       `yaml:"version"`
	ContentHash string    `yaml:"content_hash"`
	At          time.Time `yaml:"at"`
	Comment     string    `yaml:"comment,omitempty"`
	// Waived lists the blocking findings the reviewer approved over, each
	// with their reason; verify accepts an approval with a blocking
	// finding of its stage only when it is waived here.
	Waived []Waiver `yaml:"waived,omitempty"`
	// Pins, in a consistency approval only, decide conflicts of this unit
	// against the rule of tier and date: this unit wins over each pin's
	// unit, at the version the pin binds (see Supersede).
	Pins []Pin `yaml:"pins,omitempty"`
}

// Waiver is a reviewer's reason to approve over a blocking finding.
type Waiver struct {
	Code   string `yaml:"code"`
	Reason string `yaml:"reason"`
}

// waives reports whether r waives findings with code.
func (r Record) waives(code string) bool {
	for _, w := range r.Waived {
		if w.Code == code && strings.TrimSpace(w.Reason) != "" {
			return true
		}
	}
	return false
}

// ApprovalFile is the content of approvals/<id>.yaml.
type ApprovalFile struct {
	Unit    string   `yaml:"unit"`
	Records []Record `yaml:"records"`
}

// MarshalApprovals returns the canonical bytes of an approval file.
func MarshalApprovals(f ApprovalFile) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Review decisions for " + f.Unit + ". Written by `kbops review approve|reject`; verified by `kbops review verify`.\n")
	header := b.Len()
	if appendPlainApprovals(&b, f) {
		return b.Bytes(), nil
	}
	b.Truncate(header)
	if err := encodeApprovals(&b, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeApprovals writes f by the YAML encoder, as every file was written
// before appendPlainApprovals.
func encodeApprovals(b *bytes.Buffer, f ApprovalFile) error {
	enc := yaml.NewEncoder(b)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("encode approvals of %s: %w", f.Unit, err)
	}
	return enc.Close()
}

// ParseApprovals reads an approval file; name is used in errors.
func ParseApprovals(name string, b []byte) (ApprovalFile, error) {
	var f ApprovalFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("%s: %w", name, err)
	}
	for i, r := range f.Records {
		if r.Stage == OwnersStage && f.Unit == OwnersApprovalID {
			// approvals/OWNERS.yaml approves OWNERS itself.
		} else if r.Stage == GlossaryStage && f.Unit == GlossaryApprovalID {
			// approvals/glossary.yaml approves the termbase.
		} else if r.Stage.Index() < 0 && r.Stage != RemovalStage {
			return f, fmt.Errorf("%s: records[%d]: stage %q is not one of technical, expression, consistency, removal", name, i, r.Stage)
		}
		if r.Verdict != Approved && r.Verdict != Rejected {
			return f, fmt.Errorf("%s: records[%d]: verdict %q is not approved or rejected", name, i, r.Verdict)
		}
		for j, p := range r.Pins {
			if r.Stage != Consistency || r.Verdict != Approved {
				return f, fmt.Errorf("%s: records[%d].pins: only a consistency approval pins a conflict", name, i)
			}
			if p.Over == "" || p.Over == f.Unit || p.Version < 1 || p.ContentHash == "" || strings.TrimSpace(p.Reason) == "" {
				return f, fmt.Errorf("%s: records[%d].pins[%d]: a pin needs another unit (over), its version and content_hash, and a reason", name, i, j)
			}
		}
		for j, w := range r.Waived {
			if w.Code == "" || strings.TrimSpace(w.Reason) == "" {
				return f, fmt.Errorf("%s: records[%d].waived[%d]: a waiver needs a code and a reason", name, i, j)
			}
		}
	}
	return f, nil
}

// State is where a unit stands in review.
type State string

// States.
const (
	StateApproved State = "approved" // all three stages approved for this content
	StatePending  State = "pending"  // waiting for Next
	StateRejected State = "rejected" // a reviewer rejected this content at Next
	StateInvalid  State = "invalid"  // records exist that do not hold (see Problems)
)

// UnitStatus is a unit's review state for its current content.
type UnitStatus struct {
	ID    string
	State State
	// Next is the stage that waits (pending, rejected, invalid).
	Next Stage
	// Allowed lists who may decide Next.
	Allowed []string
	// Since is when the unit started waiting for Next.
	Since time.Time
	// Problems say why records do not count, for verify's output.
	Problems []string
	// Decision is the record that decided Next when rejected.
	Decision *Record
	// Pins are the pins of the record that decided the consistency stage
	// of an approved unit; nil otherwise.
	Pins []Pin
}

// Rules are what Evaluate judges a unit's records by.
type Rules struct {
	// Owners says who may decide which stage.
	Owners *Owners
	// Author is the identity of whoever wrote the unit's current version
	// (the author of the commit that last changed its file); they may not
	// decide any stage of it. "" when unknown.
	Author string
	// WrittenAt is when the current version was committed: the start of
	// the wait for the technical stage.
	WrittenAt time.Time
	// Proof, when set (strict mode), checks that a record was committed by
	// its reviewer in a commit signed with their listed key; an error makes
	// the record invalid.
	Proof func(Record) error
	// When, when set, gives the time a record entered the history (the
	// time of the commit that added it). Stage order and "latest decision"
	// are read from it instead of the record's own `at`, a time the record
	// merely states: a record dated in the future neither jumps the queue
	// nor blocks a unit.
	When func(Record) (time.Time, bool)
	// After, when set, reports whether record b entered the history after
	// record a (a's commit is an ancestor of b's); ok is false when either
	// commit is unknown. It decides stage order where it can.
	After func(a, b Record) (after, ok bool)
	// PrevOwner, when set, gives the owner of the unit's previous version
	// (ok false for a new unit or when unknown). A version that changes
	// the owner is not approved at the technical stage by its new owner:
	// the previous owner or a technical reviewer from OWNERS decides it,
	// so nobody grants themselves the owner's right by editing the field.
	PrevOwner func() (owner string, ok bool)
	// Blocking, when set, gives the blocking findings of a stage for the
	// unit's current content: an approval of that stage counts only when
	// its record waives each of their codes.
	Blocking func(Stage) []Finding
}

// allowed lists who may decide stage for u under these rules.
func (r Rules) allowed(o *Owners, stage Stage, u *knowledge.Unit) []string {
	if stage == Technical && r.PrevOwner != nil {
		if prev, ok := r.PrevOwner(); ok && Identity(prev) != Identity(u.Owner) {
			return o.allowed(stage, u, prev)
		}
	}
	return o.Allowed(stage, u)
}

// Key identifies a record within its unit's file.
func (r Record) Key() string {
	k := string(r.Stage) + "|" + string(r.Verdict) + "|" + Identity(r.Reviewer) + "|" + r.ContentHash + "|" + r.At.UTC().Format(time.RFC3339Nano)
	for _, p := range r.Pins {
		// A pin added to someone's earlier record makes it another record,
		// found in the commit that added the pin, not in theirs.
		k += "|pin:" + p.key()
	}
	return k
}

// recordID identifies a record by its Key: the first 16 bytes of the
// key's SHA-256. A cryptographic hash, because the history walk credits a
// record to the commit that added its id: ids that could be made to
// collide would let a forged record borrow a reviewer's commit.
type recordID [16]byte

func (r Record) id() recordID {
	sum := sha256.Sum256([]byte(r.Key()))
	return recordID(sum[:16])
}

// recordIDs is a sorted set of record ids.
type recordIDs []recordID

func newRecordIDs(recs []Record) recordIDs {
	out := make(recordIDs, len(recs))
	for i, r := range recs {
		out[i] = r.id()
	}
	slices.SortFunc(out, func(a, b recordID) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

func (ids recordIDs) has(k recordID) bool {
	_, ok := slices.BinarySearchFunc(ids, k, func(a, b recordID) int { return bytes.Compare(a[:], b[:]) })
	return ok
}

// Evaluate works out the review state of u from its records; it is the one
// rule of what counts as approved. Only records for u's current content
// hash and version count; each stage's latest decision counts; stages must be decided
// in order, by people OWNERS allows, none of them the version's author, and
// in strict mode in signed commits of their own.
func Evaluate(u *knowledge.Unit, recs []Record, rules Rules) UnitStatus {
	owners := rules.Owners
	if owners == nil {
		owners = &Owners{}
	}
	st := UnitStatus{ID: u.ID, State: StateApproved}
	var current []Record
	stale := 0
	for _, r := range recs {
		// A record counts for exactly the version and content it names:
		// content reverted to an approved text is a new version, and the
		// old approval is not replayed onto it.
		if r.ContentHash == u.ContentHash && r.Version == u.Version {
			current = append(current, r)
		} else {
			stale++
		}
	}
	at := func(r Record) time.Time {
		if rules.When != nil {
			if t, ok := rules.When(r); ok {
				return t
			}
		}
		return r.At
	}
	sort.SliceStable(current, func(i, j int) bool { return at(current[i]).Before(at(current[j])) })
	prevAt := rules.WrittenAt
	var prev *Record
	for _, stage := range Stages {
		var last *Record
		for i := range current {
			if current[i].Stage == stage {
				last = &current[i]
			}
		}
		if last == nil {
			st.State, st.Next, st.Since = StatePending, stage, prevAt
			if stale > 0 && stage == Technical {
				st.Problems = append(st.Problems, fmt.Sprintf("%d earlier decision(s) are void: they approved other content (version changed to %d)", stale, u.Version))
			}
			break
		}
		if allowed := rules.allowed(owners, stage, u); !slices.Contains(allowed, Identity(last.Reviewer)) {
			st.State, st.Next = StateInvalid, stage
			msg := fmt.Sprintf("%s decision by %s, who may not decide it (allowed: %s)", stage, last.Reviewer, orNone(allowed))
			if stage == Technical && Identity(last.Reviewer) == Identity(u.Owner) {
				msg += "; this version makes them the owner, and a change of owner is approved by the previous owner or a technical reviewer"
			}
			st.Problems = append(st.Problems, msg)
			break
		}
		if rules.Author != "" && Identity(last.Reviewer) == Identity(rules.Author) {
			st.State, st.Next = StateInvalid, stage
			st.Problems = append(st.Problems, fmt.Sprintf("%s decision by %s, who wrote this version; another reviewer must decide", stage, last.Reviewer))
			break
		}
		if stage != Technical && prev != nil && !decidedAfter(rules, *prev, *last, at, prevAt) {
			st.State, st.Next = StateInvalid, stage
			st.Problems = append(st.Problems, fmt.Sprintf("%s decided at %s, before the previous stage; stages are decided in order", stage, at(*last).Format(time.RFC3339)))
			break
		}
		if rules.Proof != nil {
			if err := rules.Proof(*last); err != nil {
				st.State, st.Next = StateInvalid, stage
				st.Problems = append(st.Problems, fmt.Sprintf("%s decision by %s does not count: %v", stage, last.Reviewer, err))
				break
			}
		}
		if last.Verdict == Rejected {
			st.State, st.Next, st.Decision = StateRejected, stage, last
			break
		}
		if rules.Blocking != nil {
			var open []string
			for _, f := range rules.Blocking(stage) {
				if !last.waives(f.Code) {
					open = append(open, f.String())
				}
			}
			if len(open) > 0 {
				st.State, st.Next = StateInvalid, stage
				st.Problems = append(st.Problems, fmt.Sprintf("%s approved by %s over blocking finding(s) not waived: %s; fix the unit, or approve again with --waive CODE=REASON", stage, last.Reviewer, strings.Join(open, "; ")))
				break
			}
		}
		prevAt, prev = at(*last), last
	}
	if st.State == StateApproved && prev != nil && prev.Stage == Consistency {
		st.Pins = prev.Pins
	}
	if st.State != StateApproved {
		st.Allowed = rules.allowed(owners, st.Next, u)
		if rules.Author != "" {
			st.Allowed = slices.DeleteFunc(st.Allowed, func(p string) bool { return p == Identity(rules.Author) })
		}
	}
	return st
}

// decidedAfter reports whether cur was decided after prev: by history
// (commit ancestry) when both commits are known, else by time.
func decidedAfter(rules Rules, prev, cur Record, at func(Record) time.Time, prevAt time.Time) bool {
	if rules.After != nil {
		if after, ok := rules.After(prev, cur); ok {
			return after
		}
	}
	return !at(cur).Before(prevAt)
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "nobody: add reviewers to OWNERS"
	}
	return strings.Join(xs, ", ")
}

// appendPlainApprovals writes f as the YAML encoder does, without it, when
// every string of f is one the encoder writes unquoted (plainScalar); it
// reports false, having written part of it, otherwise. An approval stage
// writes one file per unit, and the encoder's reflection took an eighth
// of a stage's time; TestPlainApprovalsAreWhatTheEncoderWrites holds the
// two to the same bytes.
func appendPlainApprovals(b *bytes.Buffer, f ApprovalFile) bool {
	if !plainScalar(f.Unit) {
		return false
	}
	b.WriteString("unit: " + f.Unit + "\n")
	if len(f.Records) == 0 {
		b.WriteString("records: []\n")
		return true
	}
	b.WriteString("records:\n")
	for _, r := range f.Records {
		for _, v := range []string{string(r.Stage), string(r.Verdict), r.Reviewer, r.ContentHash} {
			if !plainScalar(v) {
				return false
			}
		}
		if r.Comment != "" && !plainScalar(r.Comment) {
			return false
		}
		b.WriteString("  - stage: " + string(r.Stage) + "\n")
		b.WriteString("    verdict: " + string(r.Verdict) + "\n")
		b.WriteString("    reviewer: " + r.Reviewer + "\n")
		b.WriteString("    version: " + strconv.Itoa(r.Version) + "\n")
		b.WriteString("    content_hash: " + r.ContentHash + "\n")
		b.WriteString("    at: " + r.At.Format(time.RFC3339Nano) + "\n")
		if r.Comment != "" {
			b.WriteString("    comment: " + r.Comment + "\n")
		}
		if len(r.Waived) > 0 {
			b.WriteString("    waived:\n")
			for _, w := range r.Waived {
				if !plainScalar(w.Code) || !plainScalar(w.Reason) {
					return false
				}
				b.WriteString("      - code: " + w.Code + "\n")
				b.WriteString("        reason: " + w.Reason + "\n")
			}
		}
		if len(r.Pins) > 0 {
			b.WriteString("    pins:\n")
			for _, p := range r.Pins {
				if !plainScalar(p.Over) || !plainScalar(p.ContentHash) || !plainScalar(p.Reason) {
					return false
				}
				b.WriteString("      - over: " + p.Over + "\n")
				b.WriteString("        version: " + strconv.Itoa(p.Version) + "\n")
				b.WriteString("        content_hash: " + p.ContentHash + "\n")
				b.WriteString("        reason: " + p.Reason + "\n")
			}
		}
	}
	return true
}

// plainScalar reports whether the YAML encoder writes s as a plain
// (unquoted) scalar, conservatively: it starts with a letter, holds only
// letters, digits, single spaces between words and "._/@+-:", has no ": "
// or " #", and is no word YAML reads as a boolean or null. Strings outside
// this set take the encoder.
func plainScalar(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	c := s[0]
	if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '_' || c == '/' || c == '@' || c == '+' || c == '-':
		case c == ':':
			if i+1 == len(s) || s[i+1] == ' ' {
				return false
			}
		case c == ' ':
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '#' {
				return false
			}
		default:
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		return false
	}
	return true
}
