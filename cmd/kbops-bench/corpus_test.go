package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews"
)

// The generated base is free of contradictions, so the bench's approve
// step records every unit instead of reporting conflicts: every sentence
// states one parameter the technical review reads, and units stating a
// parameter agree on its value.
func TestGeneratedSentencesStateParametersWithoutConflicts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	all := map[string]*knowledge.Unit{}
	var ids []string
	for i := range 3000 {
		u := &knowledge.Unit{
			ID: fmt.Sprintf("manuals/en/vf-100/manual-%05d/s", i), Language: "en", Product: "vf-100",
			Status: knowledge.StatusActive, Tier: knowledge.TierSupport, EffectiveSource: knowledge.EffectiveFromIngest,
			Body: paragraph(r, 2, i),
		}
		if n := len(reviews.Statements(u)); n != 2 {
			t.Fatalf("%q: %d statements, want 2", u.Body, n)
		}
		all[u.ID] = u
		ids = append(ids, u.ID)
	}
	if cs := reviews.FindConflicts(all, ids); len(cs) != 0 {
		t.Fatalf("%d conflicts in the generated text, first: %q against %q", len(cs), cs[0].A.Text, cs[0].B.Text)
	}
}
