package publish_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/publish/publishbench"
)

// BenchmarkPublishVsRawImport publishes N units (KBOPS_BENCH_UNITS, default
// 100,000) and, in the same run against the same server, imports the same
// objects with the client's batcher alone. Reported: objects/s of each and
// their ratio (goal: publish ≥ 0.8× raw). Run with -benchtime=1x.
func BenchmarkPublishVsRawImport(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("KBOPS_BENCH_UNITS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	tg := target(b)
	units := make([]*knowledge.Unit, n)
	for i := range units {
		units[i] = mkUnit(fmt.Sprintf("bench/doc%d/section%d", i/10, i%10), "en", fmt.Sprintf("Parameter P%d", i),
			fmt.Sprintf("Parameter P%d sets the ramp time of drive channel %d in tenths of a second. Range 0 to 3600.", i, i))
	}
	for i := 0; i < b.N; i++ {
		// Raw: the same objects, the client's batcher, 200 per request. It
		// runs before and after publish (into fresh collections), and the
		// mean is the anchor, so neither side gains from the other's load.
		objs := publish.Objects(units, nil, nil)
		rawImport := func(name string) time.Duration {
			d, err := publishbench.RawImport(ctx, tg.Client, name, objs)
			if err != nil {
				b.Fatal(err)
			}
			return d
		}
		rawBefore := rawImport(fmt.Sprintf("RawBefore%d", i))
		tg.Alias = fmt.Sprintf("Bench%d", i)
		start := time.Now()
		res, err := publish.Publish(ctx, tg, units, publish.Options{})
		if err != nil {
			b.Fatal(err)
		}
		pubDur := time.Since(start)
		if res.Written != n {
			b.Fatalf("published %d of %d", res.Written, n)
		}
		start = time.Now()
		res, err = publish.Publish(ctx, tg, units, publish.Options{})
		if err != nil || res.Written != 0 {
			b.Fatalf("no-op publish: %+v %v", res, err)
		}
		noop := time.Since(start)
		rawDur := (rawBefore + rawImport(fmt.Sprintf("RawAfter%d", i))) / 2
		rawRate, pubRate := float64(n)/rawDur.Seconds(), float64(n)/pubDur.Seconds()
		b.ReportMetric(rawRate, "raw-objects/s")
		b.ReportMetric(pubRate, "publish-objects/s")
		b.ReportMetric(pubRate/rawRate, "publish/raw")
		b.ReportMetric(noop.Seconds(), "noop-publish-s")
		b.Logf("%d units: raw import %v (%.0f/s), publish incl. plan and verify %v (%.0f/s), ratio %.2f; no-op publish %v",
			n, rawDur.Round(time.Millisecond), rawRate, pubDur.Round(time.Millisecond), pubRate, pubRate/rawRate, noop.Round(time.Millisecond))
	}
}
