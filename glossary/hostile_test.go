package glossary

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/glossary/internal/textenc"
)

// importString imports a TBX or CSV document given as a string.
func importString(name, doc string, opts ImportOptions) (*Import, error) {
	return ImportReader(context.Background(), name, strings.NewReader(doc), opts)
}

// wantInputError checks that err is an *InputError naming the file and
// line and saying msg.
func wantInputError(t *testing.T, err error, file string, line int, msg string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("want an *InputError, got %T %v", err, err)
	}
	if ie.File != file || (line >= 0 && ie.Line != line) || !strings.Contains(ie.Error(), msg) {
		t.Errorf("got %q (line %d), want %s:%d and %q", ie.Error(), ie.Line, file, line, msg)
	}
	if !strings.HasPrefix(ie.Error(), file+":") {
		t.Errorf("%q does not start with the file name", ie.Error())
	}
}

const tbxHead = `<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en">
<text><body>
`

func TestMalformedXMLFailsWithLine(t *testing.T) {
	doc := tbxHead + `<termEntry id="a">
<langSet xml:lang="en"><tig><term>pump</tig></langSet>
</termEntry></body></text></martif>`
	_, err := importString("bad.tbx", doc, ImportOptions{})
	wantInputError(t, err, "bad.tbx", 5, "malformed XML")

	_, err = importString("cut.tbx", tbxHead+`<termEntry id="a"><langSet xml:lang="en"><tig><term>pu`, ImportOptions{})
	wantInputError(t, err, "cut.tbx", 4, "malformed XML")

	_, err = importString("page.tbx", "<html><body>not a termbase</body></html>", ImportOptions{})
	wantInputError(t, err, "page.tbx", 1, "not a TBX file")

	_, err = importString("empty.tbx", "", ImportOptions{})
	wantInputError(t, err, "empty.tbx", -1, "no XML element found")
}

func TestEntityExpansionIsRefused(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE martif [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="a"><langSet xml:lang="en"><tig><term>&lol9;</term></tig></langSet></termEntry>
</body></text></martif>`
	start := time.Now()
	_, err := importString("bomb.tbx", bomb, ImportOptions{})
	wantInputError(t, err, "bomb.tbx", 10, "entity")
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// An external entity is not fetched either.
	xxe := `<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="a"><langSet xml:lang="en"><tig><term>&xxe;</term></tig></langSet></termEntry>
</body></text></martif>`
	_, err = importString("xxe.tbx", xxe, ImportOptions{})
	wantInputError(t, err, "xxe.tbx", 4, "entity")
}

// repeatReader yields n bytes of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	return len(p), nil
}

func TestHugeTextNodeFailsFastWithBoundedMemory(t *testing.T) {
	// 100 MB of term text: the reader stops after 1 MiB without markup
	// instead of buffering it all.
	r := io.MultiReader(strings.NewReader(tbxHead+"<termEntry id=\"a\">\n<langSet xml:lang=\"en\"><tig><term>"), &repeatReader{'a', 100 << 20}, strings.NewReader("</term></tig></langSet></termEntry></body></text></martif>"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ImportReader(context.Background(), "huge.tbx", r, ImportOptions{MaxBytes: -1})
	runtime.ReadMemStats(&after)
	wantInputError(t, err, "huge.tbx", 5, "without any '<'")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MiB reading it", alloc>>20)
	}
}

func TestHugeFileIsRefusedBeforeReading(t *testing.T) {
	// A sparse 100 MB file costs no disk space.
	path := filepath.Join(t.TempDir(), "big.tbx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	start := time.Now()
	_, err = ImportFile(context.Background(), path, ImportOptions{})
	wantInputError(t, err, path, 0, "file is 100.0 MiB, more than the 64.0 MiB limit")
	if !errors.Is(err, textenc.ErrTooLarge) {
		t.Errorf("error does not wrap ErrTooLarge: %v", err)
	}
	// With the limit lifted, its NUL bytes are refused at line 1.
	_, err = ImportFile(context.Background(), path, ImportOptions{MaxBytes: -1})
	wantInputError(t, err, path, 1, "")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	// A stream longer than the limit (no size known beforehand) fails too.
	r := io.MultiReader(strings.NewReader("en,de\n"), &repeatReader{'x', 2 << 20})
	_, err = ImportReader(context.Background(), "stream.csv", r, ImportOptions{MaxBytes: 1 << 20})
	wantInputError(t, err, "stream.csv", -1, "more than 1.0 MiB of input")
}

func TestDeepNestingFails(t *testing.T) {
	doc := tbxHead + strings.Repeat("<termEntry>", 10000)
	_, err := importString("deep.tbx", doc, ImportOptions{})
	wantInputError(t, err, "deep.tbx", 4, "nested more than")
}

func TestImportStopsWhenCancelled(t *testing.T) {
	var b strings.Builder
	b.WriteString(tbxHead)
	for i := 0; i < 20000; i++ {
		b.WriteString(`<termEntry><langSet xml:lang="en"><tig><term>x</term></tig></langSet></termEntry>`)
	}
	b.WriteString("</body></text></martif>")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ImportReader(ctx, "many.tbx", strings.NewReader(b.String()), ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

func TestBadEntriesAreReportedAndTheRestImported(t *testing.T) {
	doc := tbxHead + `<termEntry id="ok1"><langSet xml:lang="en"><tig><term>pump</term></tig></langSet></termEntry>
<termEntry id="empty"><langSet xml:lang="en"><tig><term>  </term></tig><tig><term>valve</term><termNote type="administrativeStatus">nonsense</termNote></tig></langSet></termEntry>
<termEntry id="ok1"><langSet xml:lang="en"><tig><term>impeller</term></tig></langSet></termEntry>
<termEntry><langSet><tig><term>seal</term></tig></langSet></termEntry>
<termEntry id="has space"><langSet xml:lang="en"><tig><term>shaft</term></tig></langSet></termEntry>
</body></text></martif>`
	im, err := importString("mixed.tbx", doc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range im.Termbase.Concepts() {
		got = append(got, c.ID+"="+c.Langs[0].Terms[0].Text)
	}
	want := "empty=valve ok1=pump ok1-2=impeller seal=seal shaft=shaft"
	if strings.Join(got, " ") != want {
		t.Errorf("imported %q, want %q", strings.Join(got, " "), want)
	}
	var msgs []string
	for _, p := range im.Problems {
		msgs = append(msgs, p.String())
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{
		"mixed.tbx:5: empty term in en; skipped",
		`mixed.tbx:5: unknown administrativeStatus "nonsense"`,
		`mixed.tbx:6: concept id "ok1" is used again (first at line 4)`,
		`mixed.tbx:7: language section without xml:lang; taken as "en"`,
		`mixed.tbx:8: concept id "has space" contains white space`,
	} {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q:\n%s", w, all)
		}
	}
}

func TestBrokenCSVRowsAreSkippedWithTheirLine(t *testing.T) {
	doc := strings.Join([]string{
		"en,de",
		"pump,Pumpe",
		`"valve,Ventil`, // unbalanced quote
		"impeller,Laufrad",
		`sh"aft,Welle`, // bare quote in an unquoted field
		"seal,Dichtung,extra",
		"motor,Motor",
	}, "\n")
	im, err := importString("broken.csv", doc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range im.Termbase.Concepts() {
		got = append(got, c.Lang("en").Terms[0].Text)
	}
	if strings.Join(got, ",") != "impeller,motor,pump" {
		t.Errorf("imported %v", got)
	}
	var msgs []string
	for _, p := range im.Problems {
		msgs = append(msgs, p.String())
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{"broken.csv:3: malformed row", "broken.csv:5: malformed row", "broken.csv:6: 3 columns where the header has 2"} {
		if !strings.Contains(all, w) {
			t.Errorf("problems lack %q:\n%s", w, all)
		}
	}
}

func TestCSVInputErrors(t *testing.T) {
	_, err := importString("pairs.csv", "pump,Pumpe\nvalve,Ventil\n", ImportOptions{})
	wantInputError(t, err, "pairs.csv", 1, "--source-lang and --target-lang")
	_, err = importString("bin.csv", "en,de\npump,Pu\x00mpe\n", ImportOptions{})
	wantInputError(t, err, "bin.csv", 2, "NUL bytes")
	_, err = importString("e.csv", "", ImportOptions{})
	wantInputError(t, err, "e.csv", 0, "empty")
	_, err = importString("x.csv", "a,b\n", ImportOptions{SourceLang: "english", TargetLang: "de"})
	wantInputError(t, err, "x.csv", 0, "not a BCP 47 language tag")
}
