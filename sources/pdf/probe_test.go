package pdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func TestProbe(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/manuals/*.pdf")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		r, dec, err := openPDF(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var sb strings.Builder
		bad := 0
		for i := 1; i <= r.NumPage(); i++ {
			gs, err := readPage(r.Page(i))
			if err != nil {
				bad++
				t.Logf("%s p%d: %v", filepath.Base(f), i, err)
			}
			for _, g := range gs {
				sb.WriteString(g.s)
			}
		}
		out, _ := exec.Command("pdftotext", f, "-").Output()
		t.Logf("%-50s dec=%v pages=%d bad=%d sim=%.3f", filepath.Base(f), dec, r.NumPage(), bad, sim(sb.String(), string(out)))
	}
}

func sim(a, b string) float64 {
	ca, cb := map[rune]int{}, map[rune]int{}
	na, nb := 0, 0
	for _, r := range a {
		if !unicode.IsSpace(r) {
			ca[r]++
			na++
		}
	}
	for _, r := range b {
		if !unicode.IsSpace(r) {
			cb[r]++
			nb++
		}
	}
	ov := 0
	for r, n := range ca {
		ov += min(n, cb[r])
	}
	return float64(ov) / float64(max(na, nb))
}
