package health_test

import (
	"context"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/health"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// BenchmarkCompute10k: the health report over 10,000 approved units.
// Goal: under 3 s per report, so the hourly health job and `kbops health`
// stay interactive on a large knowledge base.
func BenchmarkCompute10k(b *testing.B) {
	ws := trackstest.Synthetic(b, 10000, time.Now().Add(-200*24*time.Hour))
	ws.Config.Review.Intervals = map[knowledge.Tier]int{knowledge.TierOfficial: 180}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := health.Compute(ctx, ws, health.Filter{}, time.Now())
		if err != nil || rep.Total.Units != 10000 || rep.Total.Stale != 10000 || rep.Total.WithConcepts != 2000 {
			b.Fatalf("%+v %v", rep.Total, err)
		}
	}
}

// BenchmarkSweep10k: the regular track over 10,000 units all past their
// interval (the first sweep writes 10,000 due files; later ones find
// them due and write nothing).
func BenchmarkSweep10k(b *testing.B) {
	ws := trackstest.Synthetic(b, 10000, time.Now().Add(-200*24*time.Hour))
	ws.Config.Review.Intervals = map[knowledge.Tier]int{knowledge.TierOfficial: 180}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := tracks.Sweep(ctx, ws, time.Now())
		if err != nil || len(res.Units)+res.Already != 10000 {
			b.Fatalf("%d sent, %d already, %v", len(res.Units), res.Already, err)
		}
	}
}
