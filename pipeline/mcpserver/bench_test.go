package mcpserver_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
)

// benchQueries are the demo's questions in four languages.
var benchQueries = []string{"grounding", "braking resistor", "puesta a tierra", "接地故障", "Verzögerungszeit", "E12 overvoltage"}

// BenchmarkSearchLatency measures one search_knowledge call over
// Streamable HTTP (a customer key, through kbops serve's HTTP server) and
// one direct release.Search (what `kbops search` runs, without process
// start) on the demo workspace, and reports p50 and p95 of each. Run it
// with -benchtime=200x for the figure in docs/frontends.md.
func BenchmarkSearchLatency(b *testing.B) {
	ws, keys, _ := fixture(b, false)
	ctx := context.Background()
	report := func(b *testing.B, ds []time.Duration) {
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(ds[(len(ds)*95)/100].Microseconds())/1000, "p95-ms")
	}
	b.Run("mcp-http", func(b *testing.B) {
		cs := connect(b, serveHTTP(b, ws, keys), &keyTransport{key: customerKey})
		search(b, cs, map[string]any{"query": "warm-up"})
		ds := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			t0 := time.Now()
			search(b, cs, map[string]any{"query": benchQueries[i%len(benchQueries)], "limit": 5})
			ds = append(ds, time.Since(t0))
		}
		report(b, ds)
	})
	b.Run("release-search", func(b *testing.B) {
		if _, err := release.Search(ctx, ws, publish.Query{Text: "warm-up", Access: "customer", Limit: 5}); err != nil {
			b.Fatal(err)
		}
		ds := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			t0 := time.Now()
			if _, err := release.Search(ctx, ws, publish.Query{Text: benchQueries[i%len(benchQueries)], Access: "customer", Limit: 5}); err != nil {
				b.Fatal(err)
			}
			ds = append(ds, time.Since(t0))
		}
		report(b, ds)
	})
}
