package tickets

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
)

// BenchmarkCorpus measures throughput on the corpus files.
func BenchmarkCorpus(b *testing.B) {
	dir := corpusDir(b)
	f := filepath.Join(dir, "tobi-bueck_tickets_multi-lang-4-20k_en-de_first2000rows.csv")
	data := readFile(b, f)
	b.SetBytes(int64(len(data)))
	var rows int
	for b.Loop() {
		r := run(b, Options{}, "c.csv", data)
		if r.err != nil {
			b.Fatal(r.err)
		}
		rows += r.rep.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "tickets/s")
}

// vocabulary is 30 000 pseudo-words; texts draw from it with a Zipf
// distribution, as natural language does, so that unrelated tickets share
// common words but not their content.
var vocabulary = func() []string {
	syl := strings.Fields("ka to ri mu se na lo pe di fa gu be vo ti ra ne so lu mi da ko pi re zu")
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]string, 30000)
	for i := range out {
		n := 1 + r.IntN(4)
		var sb strings.Builder
		for j := 0; j < n; j++ {
			sb.WriteString(syl[r.IntN(len(syl))])
		}
		out[i] = sb.String()
	}
	return out
}()

// writeExport writes a corpus-layout CSV of about size bytes: 30% of the
// tickets repeat one of 20 000 recurring problems with small changes,
// the rest are distinct; every ticket carries personal data.
func writeExport(w io.Writer, size int64) (rows int, err error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprint(bw, "subject,body,answer,type,queue,priority,language,tag_1,tag_2\n")
	rng := rand.New(rand.NewPCG(1, 2))
	var written int64
	para := func(seed uint64, n int) string {
		r := rand.New(rand.NewPCG(seed, 7))
		z := rand.NewZipf(r, 1.1, 2, uint64(len(vocabulary)-1))
		var sb strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocabulary[z.Uint64()])
			if r.IntN(12) == 0 {
				sb.WriteString(".")
			}
		}
		return sb.String()
	}
	queues := []string{"Technical Support", "Billing and Payments", "Product Support", "IT Support"}
	for written < size {
		p := uint64(rows) + 1_000_000
		if rng.IntN(10) < 3 {
			p = uint64(rng.IntN(20000))
		}
		subject := para(p, 6)
		body := fmt.Sprintf("Hello, I am Customer%d Person. %s\nPlease call +49 30 %07d or mail c%d@example.com.\nThanks",
			rows, para(p*3+1, 110), rows%10000000, rows)
		answer := para(p*5+2, 40) + "."
		line := fmt.Sprintf("%q,%q,%q,Incident,%s,high,en,tag%d,x\n", subject, body, answer, queues[p%4], p%50)
		n, err := bw.WriteString(line)
		if err != nil {
			return rows, err
		}
		written += int64(n)
		rows++
	}
	return rows, bw.Flush()
}

// BenchmarkExport1GB is opt-in (KBOPS_BENCH_1GB=1; KBOPS_BENCH_MB=n for another size): it generates a 1 GB
// export in a temporary folder and extracts it, reporting tickets/s, MB/s
// and the peak Go heap. Peak RSS: run the test binary under
// /usr/bin/time -v (see docs/tickets.md).
func BenchmarkExport1GB(b *testing.B) {
	if os.Getenv("KBOPS_BENCH_1GB") == "" {
		b.Skip("set KBOPS_BENCH_1GB=1 to run (writes 1 GB to a temporary folder)")
	}
	size := int64(1 << 30)
	if mb, err := strconv.Atoi(os.Getenv("KBOPS_BENCH_MB")); err == nil && mb > 0 {
		size = int64(mb) << 20
	}
	path := filepath.Join(b.TempDir(), "export.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := writeExport(f, size)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		f, _ := os.Open(path)
		fi, _ := f.Stat()
		var peak uint64
		sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		sections := 0
		doc := sources.Document{Item: sources.Item{Key: "export.csv", Size: fi.Size()}, Name: "export.csv", Body: f}
		heapAt := fi.Size() * 95 / 100
		o := Options{TempDir: b.TempDir(), Progress: func(p Progress) {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak {
				peak = v
			}
			// KBOPS_BENCH_HEAP=file writes a heap profile near the end of
			// reading, when the matching state is largest.
			if hp := os.Getenv("KBOPS_BENCH_HEAP"); hp != "" && heapAt > 0 && p.Bytes >= heapAt {
				heapAt = 0
				if f, err := os.Create(hp); err == nil {
					pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
		}}
		rep, err := ExtractReport(context.Background(), o, doc, func(sources.Section) error { sections++; return nil }, func(error) {})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rep.Rows)/rep.Duration.Seconds(), "tickets/s")
		b.ReportMetric(float64(fi.Size())/1e6/rep.Duration.Seconds(), "MB/s")
		b.ReportMetric(float64(peak)/1e6, "peak-go-MB")
		b.Logf("%d rows generated; %s; duration %s", rows, rep, rep.Duration)
	}
}
