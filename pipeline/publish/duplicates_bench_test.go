package publish

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
)

// BenchmarkNearDuplicates derives the duplicate groups of a base of
// KBOPS_BENCH_UNITS units (default 200,000) of generated sentences, one
// in a hundred a copy of another: the work every publish adds.
func BenchmarkNearDuplicates(b *testing.B) {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("KBOPS_BENCH_UNITS")); err == nil && v > 0 {
		n = v
	}
	words := strings.Fields("relay encoder inverter channel ramp limit sensor thermal digital analog motor brake filter fan output input voltage current torque speed sets limits holds reads drives stops")
	r := rand.New(rand.NewPCG(1, 2))
	units := make([]*knowledge.Unit, n)
	for i := range units {
		var body strings.Builder
		if i%100 == 99 {
			body.WriteString(units[i-1].Body)
		} else {
			for w := 0; w < 80; w++ {
				fmt.Fprintf(&body, "%s %d ", words[r.IntN(len(words))], r.IntN(10000))
			}
		}
		units[i] = &knowledge.Unit{ID: fmt.Sprintf("bench/%d", i), Language: "en", Title: "Section", Body: body.String(), Status: knowledge.StatusActive}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := NearDuplicates(units, nil)
		if len(d) < n/50 {
			b.Fatalf("%d units with near-duplicates, want at least %d", len(d), n/100)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/unit")
}
