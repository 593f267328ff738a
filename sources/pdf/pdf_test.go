package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

// corpusDir returns ../shared/corpus/manuals relative to the repository
// root, skipping the test when the corpus is absent.
func corpusDir(t testing.TB) string {
	t.Helper()
	return sourcetest.Corpus(t, "manuals")
}

func corpusPDFs(t testing.TB) []string {
	files, _ := filepath.Glob(filepath.Join(corpusDir(t), "*.pdf"))
	if len(files) == 0 {
		t.Skip("no PDFs in the corpus")
	}
	return files
}

type result struct {
	secs  []sources.Section
	warns []error
	err   error
}

func extractBytes(t testing.TB, ex Extractor, name string, data []byte) result {
	t.Helper()
	var r result
	r.err = ex.Extract(context.Background(), sources.Document{Item: sources.Item{Key: name}, Name: name, Body: bytes.NewReader(data)},
		func(s sources.Section) error { r.secs = append(r.secs, s); return nil },
		func(e error) { r.warns = append(r.warns, e) })
	return r
}

func extractFile(t testing.TB, path string) result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return extractBytes(t, Extractor{}, filepath.Base(path), data)
}

func TestCorpusExtractsWithoutError(t *testing.T) {
	for _, f := range corpusPDFs(t) {
		r := extractFile(t, f)
		if r.err != nil {
			t.Errorf("%s: %v", filepath.Base(f), r.err)
			continue
		}
		for _, w := range r.warns {
			t.Errorf("%s: warning: %v", filepath.Base(f), w)
		}
		if len(r.secs) == 0 {
			t.Errorf("%s: no sections", filepath.Base(f))
		}
		for _, s := range r.secs {
			if !strings.HasPrefix(s.Locator, "p. ") && !strings.HasPrefix(s.Locator, "pp. ") {
				t.Errorf("%s: section %v has locator %q, want a page", filepath.Base(f), s.Headings, s.Locator)
			}
		}
	}
}

// similarity is the multiset overlap of non-whitespace runes:
// sum over runes r of min(count_a(r), count_b(r)), divided by the larger
// of the two totals. 1 means the same characters in any order; missing
// text and extra text both lower it. Order is left out on purpose: PDF
// text has no single right reading order (columns, tables, figure
// labels), and Markdown table pipes are not counted.
func similarity(a, b string) float64 {
	ca, na := runeCounts(a)
	cb, nb := runeCounts(b)
	ov := 0
	for r, n := range ca {
		ov += min(n, cb[r])
	}
	if max(na, nb) == 0 {
		return 1
	}
	return float64(ov) / float64(max(na, nb))
}

func runeCounts(s string) (map[rune]int, int) {
	m := map[rune]int{}
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		m[r]++
		n++
	}
	return m, n
}

// sectionsText is what kbops keeps of a document: headings and text,
// without the Markdown table syntax it adds.
func sectionsText(secs []sources.Section) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, s := range secs {
		for i := range s.Headings {
			k := strings.Join(s.Headings[:i+1], "\x00")
			if !seen[k] {
				seen[k] = true
				b.WriteString(s.Headings[i] + "\n")
			}
		}
		for _, l := range strings.Split(s.Text, "\n") {
			if strings.HasPrefix(l, "|") {
				if strings.Trim(l, "|- ") == "" {
					continue // table header separator
				}
				l = strings.ReplaceAll(strings.ReplaceAll(l, `\|`, "\x00"), "|", " ")
				l = strings.ReplaceAll(l, "\x00", "|")
			}
			if strings.HasPrefix(l, "- ") {
				l = l[2:] // list marker kbops adds for bullets
			}
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func pdftotext(t testing.TB) string {
	p, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI for the PDF text comparison")
		}
		t.Skip("pdftotext not installed; apt-get install poppler-utils")
	}
	return p
}

// TestAgreesWithPdftotext compares all text of each page, and the text
// kept in sections (running headers, footers and page numbers removed),
// with poppler's pdftotext.
func TestAgreesWithPdftotext(t *testing.T) {
	bin := pdftotext(t)
	// pages~: all text of all pages; kept~: section headings and text plus
	// the lines dropped as running headers/footers (so that the measure
	// checks what is kept is right); dropped: share of characters dropped.
	t.Logf("%-50s %6s %8s %8s %8s %9s", "file", "pages", "chars", "pages~", "kept~", "dropped")
	for _, f := range corpusPDFs(t) {
		want, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", f, err)
		}
		data, _ := os.ReadFile(f)
		d, err := Parse(context.Background(), f, data, func(error) {})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var all strings.Builder
		for _, p := range d.PageTexts() {
			all.WriteString(strings.Join(p.Lines, "\n"))
		}
		var dropped strings.Builder
		for _, p := range d.Boilerplate() {
			dropped.WriteString(strings.Join(p.Lines, "\n") + "\n")
		}
		r := extractFile(t, f)
		_, n := runeCounts(string(want))
		_, nd := runeCounts(dropped.String())
		sp := similarity(all.String(), string(want))
		sk := similarity(sectionsText(r.secs)+dropped.String(), string(want))
		t.Logf("%-50s %6d %8d %8.3f %8.3f %8.1f%%", filepath.Base(f), d.Pages, n, sp, sk, 100*float64(nd)/float64(max(n, 1)))
		if sp < 0.95 {
			t.Errorf("%s: page text agrees with pdftotext on %.1f%% of characters, want >= 95%%", filepath.Base(f), 100*sp)
		}
		if sk < 0.95 {
			t.Errorf("%s: section text agrees with pdftotext on %.1f%% of characters, want >= 95%%", filepath.Base(f), 100*sk)
		}
	}
}

func findSection(secs []sources.Section, headings ...string) *sources.Section {
	for i, s := range secs {
		if strings.Join(s.Headings, " > ") == strings.Join(headings, " > ") {
			return &secs[i]
		}
	}
	return nil
}

// TestHeadingsAndPages checks hand-verified headings and pages.
func TestHeadingsAndPages(t *testing.T) {
	dir := corpusDir(t)
	cases := []struct {
		file     string
		headings []string
		locator  string
		contains string
	}{
		{"teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf", []string{"8 Calibration", "8.1 Calibration of 2 axes"}, "p. 24", "CAL button"},
		{"teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf", []string{"4 Powering up", "4.1 Charging the battery"}, "pp. 13–14", ""},
		{"wch_CH32V003_Reference_Manual_RM_en.pdf", []string{"Chapter 3 Reset and Clock Control (RCC)", "3.4 Register description", "3.4.1 Clock control register (RCC_CTLR)"}, "pp. 17–18", "PLLRDY"},
		{"wch_touchkey_lite_library_usage_zh.pdf", []string{"2. 函数功能描述", "2.1. TKY_BaseInit"}, "pp. 2–4", ""},
		{"wch_CH32V00x_EVB_manual_zh.pdf", []string{"三、软件开发", "3.1 EVT 包目录结构"}, "p. 2", ""},
	}
	cache := map[string]result{}
	for _, c := range cases {
		r, ok := cache[c.file]
		if !ok {
			r = extractFile(t, filepath.Join(dir, c.file))
			cache[c.file] = r
		}
		s := findSection(r.secs, c.headings...)
		if s == nil {
			var got []string
			for _, s := range r.secs {
				got = append(got, strings.Join(s.Headings, " > "))
			}
			t.Errorf("%s: no section %q; sections:\n%s", c.file, strings.Join(c.headings, " > "), strings.Join(got, "\n"))
			continue
		}
		if s.Locator != c.locator {
			t.Errorf("%s %v: locator %q, want %q", c.file, c.headings, s.Locator, c.locator)
		}
		if !strings.Contains(s.Text, c.contains) {
			t.Errorf("%s %v: text lacks %q:\n%s", c.file, c.headings, c.contains, s.Text)
		}
	}
	// Running header and page-number footer of the reference manual are gone.
	r := cache["wch_CH32V003_Reference_Manual_RM_en.pdf"]
	for _, s := range r.secs {
		if strings.Contains(s.Text, "http://wch.cn") || strings.Contains(s.Text, "V1.2 ") {
			t.Errorf("running header/footer kept in %v: %.200q", s.Headings, s.Text)
			break
		}
	}
}

func TestLanguageDetectedPerSection(t *testing.T) {
	dir := corpusDir(t)
	for file, want := range map[string]string{
		"wch_touchkey_lite_library_usage_zh.pdf":         "zh",
		"teqsas_LAP-TEQ-PLUS_Bedienungsanleitung_de.pdf": "de",
		"teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf":         "en",
	} {
		r := extractFile(t, filepath.Join(dir, file))
		n, ok := 0, 0
		for _, s := range r.secs {
			if len([]rune(s.Text)) < 200 {
				continue
			}
			n++
			if s.Language == want {
				ok++
			}
		}
		if n == 0 || float64(ok) < 0.9*float64(n) {
			t.Errorf("%s: %d of %d sections detected as %s", file, ok, n, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	good := minimalPDF([]string{"BT /F1 12 Tf 72 720 Td (Hello page one) Tj ET"})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty.pdf", nil, "empty"},
		{"notpdf.pdf", []byte("<html>this is not a pdf</html>"), "not a PDF"},
		{"truncated.pdf", good[:len(good)/2], "truncated.pdf"},
	}
	for _, c := range cases {
		r := extractBytes(t, Extractor{}, c.name, c.data)
		if r.err == nil || !strings.Contains(r.err.Error(), c.name) || !strings.Contains(r.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one naming the file and %q", c.name, r.err, c.want)
		}
	}
	r := extractBytes(t, Extractor{MaxSize: 100}, "big.pdf", good)
	if !errors.Is(r.err, sources.ErrTooLarge) || !strings.Contains(r.err.Error(), "big.pdf") {
		t.Errorf("size limit: %v", r.err)
	}
}

func TestTruncatedCorpusPDF(t *testing.T) {
	f := filepath.Join(corpusDir(t), "teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf")
	data, _ := os.ReadFile(f)
	r := extractBytes(t, Extractor{}, "cut.pdf", data[:len(data)*2/3])
	if r.err == nil {
		t.Fatalf("truncated file read without error (%d sections)", len(r.secs))
	}
	if !strings.Contains(r.err.Error(), "cut.pdf") {
		t.Errorf("error does not name the file: %v", r.err)
	}
}

func TestPasswordProtected(t *testing.T) {
	data := encryptWithUserPassword(t, minimalPDF([]string{"BT /F1 12 Tf 72 720 Td (secret) Tj ET"}))
	r := extractBytes(t, Extractor{}, "locked.pdf", data)
	if !errors.Is(r.err, ErrPassword) || !strings.Contains(r.err.Error(), "locked.pdf") {
		t.Errorf("err = %v, want ErrPassword naming the file", r.err)
	}
}

// TestBadPageIsReportedOthersKept: page 2's content stream is corrupt;
// pages 1 and 3 are kept and page 2 is reported by number.
func TestBadPageIsReportedOthersKept(t *testing.T) {
	data := minimalPDF([]string{
		"BT /F1 12 Tf 72 720 Td (First page text) Tj ET",
		"\x00CORRUPT",
		"BT /F1 12 Tf 72 720 Td (Third page text) Tj ET",
	})
	r := extractBytes(t, Extractor{}, "pages.pdf", data)
	if r.err != nil {
		t.Fatal(r.err)
	}
	all := sectionsText(r.secs)
	if !strings.Contains(all, "First page text") || !strings.Contains(all, "Third page text") {
		t.Errorf("good pages lost: %q", all)
	}
	if len(r.warns) != 1 || !strings.Contains(r.warns[0].Error(), "page 2") || !strings.Contains(r.warns[0].Error(), "pages.pdf") {
		t.Errorf("warnings = %v, want one naming pages.pdf page 2", r.warns)
	}
}

// TestInlineImage: binary inline-image data between BI/ID/EI must not
// stop the text after it.
func TestInlineImage(t *testing.T) {
	img := "q 10 0 0 10 72 600 cm BI /W 4 /H 4 /BPC 8 /CS /G ID \x00\xff(\x8b)Tj[<<\x01\x02\x03 ET BT\xfe\x00\x10 EI Q"
	data := minimalPDF([]string{"BT /F1 12 Tf 72 720 Td (Before image) Tj ET " + img + " BT /F1 12 Tf 72 500 Td (After image) Tj ET"})
	r := extractBytes(t, Extractor{}, "inline.pdf", data)
	if r.err != nil || len(r.warns) > 0 {
		t.Fatal(r.err, r.warns)
	}
	all := sectionsText(r.secs)
	if !strings.Contains(all, "Before image") || !strings.Contains(all, "After image") {
		t.Errorf("text around inline image: %q", all)
	}
}

// minimalPDF writes a PDF with one page per content string, using the
// standard Helvetica font. A content string starting with NUL is written
// as a corrupt Flate stream.
func minimalPDF(contents []string) []byte {
	var b pdfBuf
	b.WriteString("%PDF-1.4\n")
	n := len(contents)
	kids := ""
	for i := 0; i < n; i++ {
		kids += fmt.Sprintf("%d 0 R ", 4+2*i)
	}
	b.obj("<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n))
	b.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, c := range contents {
		b.obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		if strings.HasPrefix(c, "\x00") {
			b.obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(c), c))
		} else {
			b.obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c))
		}
	}
	xref := b.xref()
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(b.offs)+1, xref)
	return b.Bytes()
}

// pdfBuf writes numbered objects and the cross-reference table for them.
type pdfBuf struct {
	bytes.Buffer
	offs []int
}

func (b *pdfBuf) obj(s string) {
	b.offs = append(b.offs, b.Len())
	fmt.Fprintf(b, "%d 0 obj\n%s\nendobj\n", len(b.offs), s)
}

// xref writes the table and returns its offset.
func (b *pdfBuf) xref() int {
	x := b.Len()
	fmt.Fprintf(b, "xref\n0 %d\n0000000000 65535 f \n", len(b.offs)+1)
	for _, o := range b.offs {
		fmt.Fprintf(b, "%010d 00000 n \n", o)
	}
	return x
}

// TestActiveContentIsNeutralised: text in a PDF can spell out markup too;
// it must reach the unit as text, not as a tag or a link.
func TestActiveContentIsNeutralised(t *testing.T) {
	esc := strings.NewReplacer("(", `\(`, ")", `\)`).Replace
	data := minimalPDF([]string{
		"BT /F1 24 Tf 72 720 Td (" + esc("Setup <script>alert(1)</script>") + ") Tj ET " +
			"BT /F1 12 Tf 72 680 Td (" + esc(sourcetest.Hostile) + ") Tj ET",
	})
	r := extractBytes(t, Extractor{}, "hostile.pdf", data)
	if r.err != nil || len(r.warns) > 0 {
		t.Fatal(r.err, r.warns)
	}
	sourcetest.CheckInert(t, r.secs, append(sourcetest.HostileVisible, "Setup")...)
}

// A PDF's info dictionary dates its sections (ModDate, else CreationDate);
// a PDF without one gives no date.
func TestInfoDateDatesTheSections(t *testing.T) {
	f := filepath.Join(corpusDir(t), "teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf")
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	r := extractBytes(t, Extractor{}, filepath.Base(f), data)
	if r.err != nil || len(r.secs) == 0 {
		t.Fatalf("extract: %v, %d sections", r.err, len(r.secs))
	}
	for _, s := range r.secs {
		if !s.Effective.Equal(time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)) || s.EffectiveSource != "pdf-info" {
			t.Fatalf("section %v: effective %v (%q), want 2026-05-04 from the ModDate", s.Headings, s.Effective, s.EffectiveSource)
		}
	}
	r = extractBytes(t, Extractor{}, "plain.pdf", minimalPDF([]string{"BT /F1 12 Tf 72 720 Td (Hello page one) Tj ET"}))
	if r.err != nil || len(r.secs) == 0 || !r.secs[0].Effective.IsZero() {
		t.Errorf("a PDF without an info dictionary: %v %+v", r.err, r.secs)
	}
}
