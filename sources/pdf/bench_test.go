package pdf

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
)

// BenchmarkExtract extracts each corpus PDF (open, decrypt when needed,
// all pages, layout, sections) and reports pages/s and MB/s.
func BenchmarkExtract(b *testing.B) {
	for _, f := range corpusPDFs(b) {
		data, _ := os.ReadFile(f)
		d, err := Parse(context.Background(), f, data, func(error) {})
		if err != nil {
			b.Fatal(err)
		}
		pages := d.Pages
		b.Run(strings.TrimSuffix(filepath.Base(f), ".pdf"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				r := extractBytes(b, Extractor{}, f, data)
				if r.err != nil {
					b.Fatal(r.err)
				}
			}
			b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkPdftotext runs poppler's pdftotext on the same files, for the
// side-by-side comparison.
func BenchmarkPdftotext(b *testing.B) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		b.Skip("pdftotext not installed")
	}
	for _, f := range corpusPDFs(b) {
		data, _ := os.ReadFile(f)
		d, _ := Parse(context.Background(), f, data, func(error) {})
		pages := d.Pages
		b.Run(strings.TrimSuffix(filepath.Base(f), ".pdf"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if err := exec.Command(bin, "-enc", "UTF-8", f, os.DevNull).Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// TestReferenceManualMemory extracts the 179-page reference manual and
// checks the Go heap's peak stays under 200 MB (sampled after each
// section; the process's RSS is reported in docs/sources.md from
// /usr/bin/time -v).
func TestReferenceManualMemory(t *testing.T) {
	f := filepath.Join(corpusDir(t), "wch_CH32V003_Reference_Manual_RM_en.pdf")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Skip(err)
	}
	runtime.GC()
	var peak uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}
	d, err := Parse(context.Background(), f, data, func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	sample()
	n := 0
	d.Sections(context.Background(), "", func(sources.Section) error { n++; sample(); return nil })
	t.Logf("%d pages, %d sections, peak heap %.1f MB", d.Pages, n, float64(peak)/(1<<20))
	if peak > 200<<20 {
		t.Errorf("peak heap %.0f MB, want < 200 MB", float64(peak)/(1<<20))
	}
}
