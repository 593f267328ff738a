package contextlib

import (
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
)

const lib = `markets:
  EU: {regulations: [CE], units: metric}
  US: {regulations: [UL], units: imperial, adaptation: required}
industries: [oem, end-user]
audiences: [novice, expert]
`

func TestParseRefusesWhatItDoesNotKnow(t *testing.T) {
	if _, err := Parse(File, []byte(lib)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, want string }{
		{"markets:\n  US: {unit: imperial}\n", "line 2"},
		{"markets:\n  US: {units: furlongs}\n", "markets.US.units"},
		{"markets:\n  US: {adaptation: always}\n", "markets.US.adaptation"},
		{"audiences: [novice, novice]\n", "listed twice"},
		{"regions: [EU]\n", "regions"},
	} {
		if _, err := Parse(File, []byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), File) {
			t.Errorf("%q: %v, want an error naming %s and %q", c.text, err, File, c.want)
		}
	}
}

func TestCheckAndCoverage(t *testing.T) {
	l, _ := Parse(File, []byte(lib))
	u := func(id string, layer knowledge.Layer, markets []string, adapts string) *knowledge.Unit {
		return &knowledge.Unit{ID: id, Layer: layer, Markets: markets, Adapts: adapts, Status: knowledge.StatusActive}
	}
	bad := u("notes/en/a/b", knowledge.LayerCore, []string{"BR"}, "")
	bad.Audiences = []string{"child"}
	if f := strings.Join(l.Check(bad), "; "); !strings.Contains(f, `market "BR"`) || !strings.Contains(f, `audience "child"`) {
		t.Errorf("findings: %s", f)
	}
	units := []*knowledge.Unit{
		u("notes/en/supply/a", knowledge.LayerCore, nil, ""),
		u("notes/en/supply/b", knowledge.LayerCore, []string{"US", "EU"}, ""),
		u("notes/en/supply/c", knowledge.LayerCore, []string{"EU"}, ""), // not for the US
		u("notes/en/supply-us/a", knowledge.LayerContext, []string{"US"}, "notes/en/supply/a"),
		u("notes/en/supply-eu/b", knowledge.LayerContext, []string{"EU"}, "notes/en/supply/b"), // for the EU only
	}
	cov := l.Coverage(units)
	if len(cov) != 1 || cov[0].Market != "US" || cov[0].Core != 2 || cov[0].Adapted != 1 || len(cov[0].Missing) != 1 || cov[0].Missing[0] != "notes/en/supply/b" {
		t.Errorf("coverage: %+v", cov)
	}
}
