package publish_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
)

// A collection published to a Weaviate 1.35.2 that creates it with
// BlockMax-WAND (its default; a team's own server) is reported with what
// to set on the server; one the embedded server creates is not.
func TestBlockMaxRiskIsReportedForAServerWithItOn(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		env  []string
		risk bool
	}{
		{"embedded settings", nil, false},
		{"weaviate defaults", []string{"USE_INVERTED_SEARCHABLE=true", "USE_BLOCKMAX_WAND=true"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := weaviatetest.StartWith(t, embedded.Options{Env: c.env})
			cl, err := publish.Connect(ctx, "http://"+srv.Host(), srv.GRPCHost(), "")
			if err != nil {
				t.Fatal(err)
			}
			tg := &publish.Target{Client: cl, Alias: "KnowledgeUnit"}
			name, err := tg.Ensure(ctx)
			if err != nil {
				t.Fatal(err)
			}
			risk, advice, err := tg.BlockMaxRisk(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if risk != c.risk {
				t.Fatalf("BlockMaxRisk = %v (%q), want %v", risk, advice, c.risk)
			}
			if risk && !strings.Contains(advice, "USE_BLOCKMAX_WAND=false") {
				t.Errorf("advice does not say what to set: %q", advice)
			}
		})
	}
}
