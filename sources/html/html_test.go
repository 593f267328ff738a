package html

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

type result struct {
	secs  []sources.Section
	warns []error
	err   error
}

func extract(t testing.TB, ex Extractor, name, contentType string, data []byte) result {
	t.Helper()
	var r result
	r.err = ex.Extract(context.Background(), sources.Document{Item: sources.Item{Key: name}, Name: name, ContentType: contentType, Body: bytes.NewReader(data)},
		func(s sources.Section) error { r.secs = append(r.secs, s); return nil },
		func(e error) { r.warns = append(r.warns, e) })
	return r
}

func all(secs []sources.Section) string {
	var b strings.Builder
	for _, s := range secs {
		b.WriteString(strings.Join(s.Headings, " > ") + "\n" + s.Text + "\n")
	}
	return b.String()
}

func corpus(t *testing.T, name string) []byte {
	t.Helper()
	p := sourcetest.Corpus(t, "manuals", name)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMkDocsKeepsArticleDropsNavigation: the rendered MkDocs page is
// ~90% navigation around one article.
func TestMkDocsKeepsArticleDropsNavigation(t *testing.T) {
	data := corpus(t, "teqsas_LAP-TEQ-PLUS_08_Kalibrierung_de.html")
	r := extract(t, Extractor{}, "manual_8/index.html", "", data)
	if r.err != nil || len(r.warns) > 0 {
		t.Fatal(r.err, r.warns)
	}
	text := all(r.secs)
	for _, want := range []string{"8 Kalibrierung > Schritt 1", "INCLINOMETER mit dem Kalibrier-Kabel an das Displaymodul anschließen", "| Ausrichtung | Displaytext |", "| II. Bodenplatte oben | Mpl Up |"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
	// Navigation entries of other chapters and the site footer are gone.
	for _, nav := range []string{"Produktbeschreibung", "Zum Inhalt", "Made with", "Material for MkDocs", "Suche"} {
		if strings.Contains(text, nav) {
			t.Errorf("boilerplate %q kept", nav)
		}
	}
	if len(text) > len(data)/5 {
		t.Errorf("kept %d of %d bytes: navigation not removed", len(text), len(data))
	}
	for _, s := range r.secs {
		if s.Language != "de" {
			t.Errorf("section %v language %q, want de (from <html lang>)", s.Headings, s.Language)
		}
	}
}

func TestOkapiPlainHTML(t *testing.T) {
	r := extract(t, Extractor{}, "tikal.html", "", corpus(t, "okapi_Tikal_user_manual_en.html"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	var heads []string
	for _, s := range r.secs {
		heads = append(heads, strings.Join(s.Headings, " > "))
		if len(s.Text) > 100 && s.Language != "en" {
			t.Errorf("%v: language %q", s.Headings, s.Language)
		}
	}
	h := strings.Join(heads, "\n")
	for _, want := range []string{"Extract Files", "Merge Files", "Convert to TMX Format"} {
		if !strings.Contains(h, want) {
			t.Errorf("heading %q missing from\n%s", want, h)
		}
	}
	if !strings.Contains(all(r.secs), "```") && !strings.Contains(all(r.secs), "`tikal") {
		t.Error("command examples lost their code formatting")
	}
}

func TestCharsets(t *testing.T) {
	cases := []struct {
		file, contentType, want, lang string
	}{
		{"gbk.html", "", "在取出电池之前，必须关闭设备", "zh"},
		{"shiftjis.html", "", "バッテリーを取り外す前に", "ja"},
		{"win1252-noheader.html", "text/html; charset=windows-1252", "Größe: 5 µm, Temperatur 20 °C", "de"},
	}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		r := extract(t, Extractor{}, c.file, c.contentType, data)
		if r.err != nil {
			t.Errorf("%s: %v", c.file, r.err)
			continue
		}
		if !strings.Contains(all(r.secs), c.want) {
			t.Errorf("%s: decoded text %q lacks %q", c.file, all(r.secs), c.want)
		}
		if len(r.secs) == 0 || r.secs[0].Language != c.lang {
			t.Errorf("%s: language of %+v, want %s", c.file, r.secs, c.lang)
		}
	}
	// UTF-16 with a byte-order mark.
	u16 := []byte{0xff, 0xfe}
	for _, r := range "<p>Hello UTF-16 world, this is text.</p>" {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	r := extract(t, Extractor{}, "u16.html", "", u16)
	if r.err != nil || !strings.Contains(all(r.secs), "Hello UTF-16 world") {
		t.Errorf("UTF-16: %v %q", r.err, all(r.secs))
	}
}

func TestStructure(t *testing.T) {
	src := `<html><body><nav><a href="/">Home</a><a href="/x">Other page</a></nav>
<div class="cookie-banner">We use cookies</div>
<main>
<h1 id="top">Inverter</h1><p>Intro with <code>vf-200</code> and <strong>bold</strong>.</p>
<h2 id="install">Installation</h2>
<ol><li>Mount the unit.</li><li>Connect PE.<ul><li>green/yellow</li></ul></li></ol>
<pre><code class="language-sh">vfctl --reset
# not a heading</code></pre>
<img src="wiring.png" alt="Wiring diagram of terminal X1">
<table><tr><th>Terminal</th><th>Signal</th></tr><tr><td>X1.1</td><td>24 V | DC</td></tr></table>
<h3>Grounding</h3><p>Use 2.5 mm² wire.</p>
<script>var tracking = 1;</script>
</main>
<footer>© 2024 Vendor</footer></body></html>`
	r := extract(t, Extractor{}, "s.html", "", []byte(src))
	if r.err != nil {
		t.Fatal(r.err)
	}
	text := all(r.secs)
	for _, want := range []string{
		"Intro with `vf-200` and **bold**.",
		"1. Mount the unit.\n2. Connect PE.\n  - green/yellow",
		"```sh\nvfctl --reset\n# not a heading\n```",
		"![Wiring diagram of terminal X1](wiring.png)",
		"| Terminal | Signal |\n| --- | --- |\n| X1.1 | 24 V \\| DC |",
		"Inverter > Installation > Grounding\nUse 2.5 mm² wire.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	for _, bad := range []string{"Home", "cookies", "tracking", "© 2024"} {
		if strings.Contains(text, bad) {
			t.Errorf("boilerplate %q kept", bad)
		}
	}
	if r.secs[1].Locator != "Inverter > Installation (#install)" {
		t.Errorf("locator %q", r.secs[1].Locator)
	}
}

func TestHostileInput(t *testing.T) {
	deep := strings.Repeat("<div>", 10000) + "<p>deep text survives</p>" + strings.Repeat("</div>", 10000)
	r := extract(t, Extractor{}, "deep.html", "", []byte("<html><body>"+deep+"</body></html>"))
	if r.err != nil || !strings.Contains(all(r.secs), "deep text survives") {
		t.Errorf("10,000 nested elements: %v %.200q", r.err, all(r.secs))
	}
	inl := strings.Repeat("<b><i>", 5000) + "x" + strings.Repeat("</i></b>", 5000)
	r = extract(t, Extractor{}, "deep-inline.html", "", []byte("<p>"+inl+"</p>"))
	if r.err != nil {
		t.Errorf("nested inline: %v", r.err)
	}
	huge := `<p title="` + strings.Repeat("A", 8<<20) + `">after a huge attribute</p>`
	r = extract(t, Extractor{}, "attr.html", "", []byte(huge))
	if r.err != nil || !strings.Contains(all(r.secs), "after a huge attribute") {
		t.Errorf("huge attribute: %v", r.err)
	}
	r = extract(t, Extractor{MaxSize: 1 << 10}, "big.html", "", []byte(huge))
	if !errors.Is(r.err, sources.ErrTooLarge) || !strings.Contains(r.err.Error(), "big.html") {
		t.Errorf("size limit: %v", r.err)
	}
	r = extract(t, Extractor{}, "image.html", "", append([]byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0}, make([]byte, 200)...))
	if r.err == nil || !strings.Contains(r.err.Error(), "image.html") {
		t.Errorf("binary: %v", r.err)
	}
	r = extract(t, Extractor{}, "empty.html", "", nil)
	if r.err == nil || !strings.Contains(r.err.Error(), "empty.html") {
		t.Errorf("empty: %v", r.err)
	}
}

// TestActiveContentIsNeutralised: entities decode to markup in text nodes,
// and links, images and headings carry URLs; none of it may reach a unit
// as active content.
func TestActiveContentIsNeutralised(t *testing.T) {
	page := `<!doctype html><html><head><title>Guide &lt;script&gt;alert(0)&lt;/script&gt;</title></head><body><main>
<h1>Setup &lt;img src=x onerror=alert(1)&gt;</h1>
<p>Wire PE first. See <a href="javascript:alert(1)">the wiring guide</a>. &lt;script&gt;alert(2)&lt;/script&gt; &lt;img src=x onerror=alert(3)&gt;
<img src="data:text/html;base64,PHNjcmlwdD4=" alt="diagram"> <img src="javascript:alert(7)" alt="photo"> [text link](javascript:alert(8)) Done.</p>
<script>alert(9)</script></main></body></html>`
	r := extract(t, Extractor{}, "hostile.html", "text/html", []byte(page))
	if r.err != nil {
		t.Fatal(r.err)
	}
	sourcetest.CheckInert(t, r.secs, "Wire PE first.", "the wiring guide", "alert(2)", "diagram", "photo", "text link", "Done.", "Setup")
}
