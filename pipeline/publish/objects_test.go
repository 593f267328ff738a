package publish

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
)

// The objects a publish plans with hold hashes only; what it writes is
// built again from the unit. Both must be what BuildObject gives, or a
// publish would write something other than what it hashed and verify
// would never pass.
func TestObjectsBuiltAgainAreTheObjectsHashed(t *testing.T) {
	var units []*knowledge.Unit
	for i, lang := range []string{"en", "de", "zh-CN", "ja", "fr", "es"} {
		u := knowledge.Unit{
			ID: fmt.Sprintf("m/%s/%d", lang, i), Title: "Akku laden 接地 " + lang, Language: lang, Layer: knowledge.LayerCore,
			Kind: knowledge.KindNote, Product: "vf", Tier: knowledge.TierOfficial, Owner: "ana@example.com",
			Access: knowledge.AccessCustomer, Status: knowledge.StatusActive, Body: "Charging the batteries takes 2 h. 充电需要两小时。",
			Effective: knowledge.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), Markets: []string{"DE"},
		}
		u, _ = knowledge.Revise(nil, u)
		units = append(units, &u)
	}
	// A copy of the English unit: the two objects name each other.
	cp := *units[0]
	cp.ID = "m/en/copy"
	units = append(units, &cp)
	terms := func(u *knowledge.Unit) []string { return []string{"battery", "Akku"} }
	links := func(u *knowledge.Unit) string { return "https://example.com/" + u.ID }
	o := Options{SupersededBy: map[string]string{units[1].ID: units[0].ID}, Siblings: map[string][]string{units[0].ID: {units[1].ID}}}
	lean := objects(units, terms, links, o)
	dups := NearDuplicates(units, o.SupersededBy)
	if dups[cp.ID] != units[0].ID || dups[units[0].ID] != units[0].ID || lean[0].properties()[PropDuplicateGroup] == nil {
		t.Errorf("duplicate groups %v: want the copy and its original in one, named by the original", dups)
	}
	for i, obj := range lean {
		if obj.Props != nil {
			t.Fatalf("%s: properties held by the plan", obj.Unit.ID)
		}
		u := units[i]
		want := buildObject(u, terms(u), links(u), derived{o.SupersededBy[u.ID], o.Siblings[u.ID], dups[u.ID]})
		got := obj.properties()
		if !reflect.DeepEqual(got, want.Props) || obj.Hash != want.Hash || got[PropObjectHash] != obj.Hash {
			t.Errorf("%s: built again %v (hash %s), hashed %v (hash %s)", u.ID, got, obj.Hash, want.Props, want.Hash)
		}
	}
	if all := Objects(units, terms, links); all[0].Props == nil {
		t.Error("Objects returns objects without properties")
	}
}
