package ingest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews"
)

// The pull-request body groups the waiting units by owner, gives each
// finding its severity and place, lists removals and the run's errors,
// mentions the reviewers each stage waits for by their host accounts, and
// is cut to fit a host's limit.
func TestReportBody(t *testing.T) {
	u := func(id, owner string) *knowledge.Unit {
		return &knowledge.Unit{ID: id, Version: 2, Language: "es-MX", Owner: owner}
	}
	ov := reviews.Overview{
		Counts: map[reviews.State]int{reviews.StatePending: 2, reviews.StateRejected: 1, reviews.StateApproved: 4},
		Waiting: []reviews.WaitingUnit{
			{Unit: u("notes/b", "bo@example.com"), Status: reviews.UnitStatus{State: reviews.StatePending, Next: reviews.Expression, Allowed: []string{"es@example.com"}}},
			{Unit: u("notes/a", "ana@example.com"), Status: reviews.UnitStatus{State: reviews.StateRejected, Next: reviews.Technical, Allowed: []string{"ana@example.com"}},
				Findings: []reviews.Finding{
					{Stage: reviews.Technical, File: "units/notes/a.md", Line: 12, Code: "personal-data", Message: "an e-mail\naddress", Blocking: true},
					{Stage: reviews.Technical, File: "units/notes/a.md", Code: "length", Message: "long"},
				}},
		},
		Removals: []reviews.RemovalStatus{{ID: "notes/old", Removed: u("notes/old", "ana@example.com"), Why: "not approved", Allowed: []string{"ana@example.com"}, Deleter: "kbops@example.com"}},
	}
	body := reportBody("kbops/review", strings.Repeat("ab", 20), "2026-01-02", ov, []string{"notes: x.md: cannot read"}, map[string]string{"ana@example.com": "ana"})
	for _, want := range []string{
		"Knowledge changes on `kbops/review` (head `abababababab`, 2026-01-02).",
		"**4 approved, 2 pending, 1 rejected, 0 invalid.**",
		"### ana@example.com (1)",
		"## Waiting for\n\n- **technical** (1 unit): @ana\n- **expression** (1 unit): es@example.com\n",
		"| `units/notes/a.md` | v2 | es-MX | rejected | technical | ana@example.com (@ana) |",
		"- **blocking** `units/notes/a.md:12` (technical, personal-data): an e-mail address",
		"- advice `units/notes/a.md` (technical, length): long",
		"### bo@example.com (1)",
		"| `units/notes/b.md` | v2 | es-MX | pending | expression | es@example.com |",
		"- `units/notes/old.md` v2 deleted by kbops@example.com: not approved (may approve: ana@example.com)",
		"## Errors of the last ingest\n\n- notes: x.md: cannot read",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Index(body, "### ana@") > strings.Index(body, "### bo@") {
		t.Error("owners are not sorted")
	}

	var many []reviews.WaitingUnit
	for i := 0; i < 2000; i++ {
		many = append(many, reviews.WaitingUnit{Unit: u("notes/a-rather-long-unit-identifier-"+strings.Repeat("x", 20)+string(rune('a'+i%26))+strconv.Itoa(i), "ana@example.com"),
			Status: reviews.UnitStatus{State: reviews.StatePending, Next: reviews.Technical}})
	}
	long := reportBody("kbops/review", strings.Repeat("ab", 20), "2026-01-02", reviews.Overview{Waiting: many, Counts: map[reviews.State]int{}}, nil, nil)
	if len(long) > maxBody+200 || !strings.Contains(long, "cut to fit") {
		t.Errorf("a body for 2000 units has %d characters; want it cut near %d with a note", len(long), maxBody)
	}
}
