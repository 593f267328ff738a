package reviews

import (
	"fmt"
	"slices"
	"sort"

	"github.com/kbops/kbops/knowledge"
)

// OwnersApprovalID is the "unit" name of the approval records of OWNERS
// itself: approvals/OWNERS.yaml.
const OwnersApprovalID = "OWNERS"

// OwnersHash is the content hash an approval of an OWNERS file names.
func OwnersHash(b []byte) string { return knowledge.HashBytes(b) }

// Requirement is one group of people of which at least one must approve a
// change to OWNERS.
type Requirement struct {
	// Entry names what changed: "admins", "technical/vf-200",
	// "expression/es", "consistency", "strict", "keys/ana@example.com".
	Entry string
	// AnyOf lists who may satisfy it (from the previous OWNERS), sorted.
	AnyOf []string
}

// OwnersChangeRequirements says who must approve replacing prev by cur: an
// admin of prev, and for every entry whose list of people changed, one of
// the people prev listed for it (nobody more when the entry is new). The
// previous file decides, so nobody can add themselves and approve at once.
func OwnersChangeRequirements(prev, cur *Owners) []Requirement {
	reqs := []Requirement{{Entry: "admins (any change to OWNERS)", AnyOf: sorted(prev.Admins)}}
	add := func(entry string, before, after []string) {
		if slices.Equal(sorted(before), sorted(after)) || len(before) == 0 {
			return
		}
		reqs = append(reqs, Requirement{Entry: entry, AnyOf: sorted(before)})
	}
	for _, k := range unionKeys(prev.Technical, cur.Technical) {
		add("technical/"+k, prev.Technical[k], cur.Technical[k])
	}
	for _, k := range unionKeys(prev.Expression, cur.Expression) {
		add("expression/"+k, prev.Expression[k], cur.Expression[k])
	}
	add("consistency", prev.Consistency, cur.Consistency)
	add("glossary", prev.Glossary, cur.Glossary)
	add("admins", prev.Admins, cur.Admins)
	// A reviewer's key is theirs: changing it needs them (or an admin,
	// required anyway, when they lost it).
	for _, k := range unionKeys(prev.Keys, cur.Keys) {
		if prev.Keys[k] != "" && prev.Keys[k] != cur.Keys[k] {
			reqs = append(reqs, Requirement{Entry: "keys/" + k, AnyOf: sorted(append([]string{k}, prev.Admins...))})
		}
	}
	// So is their host account: whoever controls the mapped account
	// decides in their name on the host.
	for _, k := range unionKeys(prev.Accounts, cur.Accounts) {
		if prev.Accounts[k] != "" && prev.Accounts[k] != cur.Accounts[k] {
			reqs = append(reqs, Requirement{Entry: "accounts/" + k, AnyOf: sorted(append([]string{k}, prev.Admins...))})
		}
	}
	return reqs
}

// CheckOwnersChange returns why the records do not approve replacing prev
// by cur (whose content hash is curHash); nil means the change is approved.
// author wrote the change and may not approve it; proof, when set (strict
// mode), must accept every record that counts.
func CheckOwnersChange(prev, cur *Owners, curHash string, recs []Record, author string, proof func(Record) error) []string {
	approvers := map[string]bool{}
	var problems []string
	for _, r := range recs {
		if r.Stage != OwnersStage || r.ContentHash != curHash {
			continue
		}
		who := Identity(r.Reviewer)
		if author != "" && who == Identity(author) {
			problems = append(problems, fmt.Sprintf("OWNERS: approval by %s does not count: they wrote this change", who))
			continue
		}
		if proof != nil {
			if err := proof(r); err != nil {
				problems = append(problems, fmt.Sprintf("OWNERS: approval by %s does not count: %v", who, err))
				continue
			}
		}
		if r.Verdict == Rejected {
			approvers[who] = false
			problems = append(problems, fmt.Sprintf("OWNERS: change rejected by %s: %s", who, firstLine(r.Comment)))
			continue
		}
		if _, decided := approvers[who]; !decided {
			approvers[who] = true
		}
	}
	for _, req := range OwnersChangeRequirements(prev, cur) {
		ok := false
		for _, p := range req.AnyOf {
			if approvers[p] {
				ok = true
			}
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("OWNERS: change of %s needs approval by one of %s (kbops review approve --stage owners)", req.Entry, orNone(req.AnyOf)))
		}
	}
	return problems
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return slices.Compact(out)
}

func unionKeys[V any](a, b map[string]V) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mayApproveOwners reports whether who is named by any requirement of a
// change of OWNERS.
func mayApproveOwners(reqs []Requirement, who string) bool {
	for _, r := range reqs {
		if slices.Contains(r.AnyOf, Identity(who)) {
			return true
		}
	}
	return false
}
