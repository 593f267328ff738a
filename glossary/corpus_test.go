package glossary

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// countTBX counts concepts and non-empty terms per language with a plain
// walk over the XML, independent of the importer.
func countTBX(t *testing.T, path string) (concepts int, terms map[string]int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	dec := xml.NewDecoder(bytes.NewReader(data))
	terms = map[string]int{}
	var langs []string // xml:lang of the enclosing langSet/langSec, innermost last
	var text *strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "conceptEntry", "termEntry":
				concepts++
			case "langSet", "langSec":
				l := ""
				for _, a := range e.Attr {
					if a.Name.Local == "lang" {
						l = strings.ToLower(a.Value)
					}
				}
				langs = append(langs, l)
			case "term":
				text = &strings.Builder{}
			}
		case xml.CharData:
			if text != nil {
				text.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "langSet", "langSec":
				langs = langs[:len(langs)-1]
			case "term":
				if strings.TrimSpace(text.String()) != "" {
					terms[langs[len(langs)-1]]++
				}
				text = nil
			}
		}
	}
	return concepts, terms
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func termsPerLang(tb *Termbase) map[string]int {
	out := map[string]int{}
	for _, c := range tb.Concepts() {
		for _, l := range c.Langs {
			out[strings.ToLower(l.Locale)] += len(l.Terms)
		}
	}
	return out
}

func TestEveryCorpusTBXImportsWithAllConceptsAndTerms(t *testing.T) {
	dir := corpusDir(t)
	// Counts found by reading the files; the walk below recounts them.
	want := map[string]struct{ concepts, terms int }{
		"lisa-sample_ibm_tbx-v2_en-fr.tbx":                     {5, 11},
		"lisa-sample_maryland-vocabcod_tbx-v2_fr-it-es-en.tbx": {1, 13},
		"lisa-sample_sdl-adobe_tbx-v2_en-de.tbx":               {223, 472}, // 516 <term>, 44 of them empty
		"ltac_tbx-basic-v3_astronomy_dca_en-es-zu.tbx":         {45, 113},
		"ltac_tbx-basic-v3_astronomy_dct_en-es-zu.tbx":         {45, 113},
		"okapi_test01_bom_en-hu.tbx":                           {1, 2},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.tbx"))
	if len(files) != len(want) {
		t.Errorf("corpus has %d TBX files, the test knows %d", len(files), len(want))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			im, err := ImportFile(context.Background(), path, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			concepts, terms := countTBX(t, path)
			if w, ok := want[name]; ok && (w.concepts != concepts || w.terms != sum(terms)) {
				t.Errorf("the walk counts %d concepts and %d terms, the test expects %d and %d", concepts, sum(terms), w.concepts, w.terms)
			}
			if im.Termbase.Len() != concepts {
				t.Errorf("imported %d concepts, file has %d", im.Termbase.Len(), concepts)
			}
			got := termsPerLang(im.Termbase)
			for l, n := range terms {
				if got[l] != n {
					t.Errorf("%s: imported %d terms, file has %d", l, got[l], n)
				}
			}
			if sum(got) != sum(terms) {
				t.Errorf("imported %d terms, file has %d (per language: %v vs %v)", sum(got), sum(terms), got, terms)
			}
			roundTrip(t, im.Termbase)
		})
	}
}

// roundTrip checks import(export(tb)) == tb, and that exporting again
// gives the same bytes.
func roundTrip(t *testing.T, tb *Termbase) {
	t.Helper()
	out := MarshalTBX(tb)
	back, err := ImportReader(context.Background(), "export.tbx", bytes.NewReader(out), ImportOptions{})
	if err != nil {
		t.Fatalf("re-import of the export: %v", err)
	}
	if len(back.Problems) > 0 {
		t.Errorf("re-import problems: %v", back.Problems)
	}
	if !back.Termbase.Equal(tb) {
		for _, c := range tb.Concepts() {
			if d := back.Termbase.Concept(c.ID); d == nil || !conceptEqual(c, d) {
				t.Fatalf("concept %s differs after export and import:\n%+v\n%+v", c.ID, c, d)
			}
		}
		t.Fatal("termbases differ after export and import")
	}
	if again := MarshalTBX(back.Termbase); !bytes.Equal(again, out) {
		t.Error("second export differs from the first")
	}
}

func TestCorpusTBXContent(t *testing.T) {
	dir := corpusDir(t)
	load := func(name string) *Termbase {
		im, err := ImportFile(context.Background(), filepath.Join(dir, name), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return im.Termbase
	}
	// TBX v2: two langSet elements for "en" in one entry become one section.
	ibm := load("lisa-sample_ibm_tbx-v2_en-fr.tbx")
	c1 := ibm.Concept("c1")
	if en := c1.Lang("en"); en == nil || len(en.Terms) != 2 || en.Terms[0].Text != "navigation trail" || en.Terms[1].Text != "branch" {
		t.Errorf("c1 en: %+v", c1.Lang("en"))
	}
	if c1.SubjectField != "Software" || c1.Lang("en").Terms[0].Context == "" {
		t.Errorf("c1: %+v", c1)
	}
	if c2 := ibm.Concept("c2"); c2.SubjectField != `Hardware \ Other Processing Units and Specialized Devices` {
		t.Errorf("subject field with line break: %q", c2.SubjectField)
	}
	// Character references and an upper-case root xml:lang.
	mary := load("lisa-sample_maryland-vocabcod_tbx-v2_fr-it-es-en.tbx")
	c := mary.Concept("eid-VocCod-211.01")
	if fr := c.Lang("fr"); fr == nil || fr.Terms[2].Text != "écrivain" {
		t.Errorf("fr: %+v", c.Lang("fr"))
	}
	if c.Definition != "personne qui accomplit un travail copie ou d'écriture" {
		t.Errorf("definition %q", c.Definition)
	}
	// TBX-Basic v3: administrative status, superseded counts as deprecated.
	astro := load("ltac_tbx-basic-v3_astronomy_dca_en-es-zu.tbx")
	en := astro.Concept("c1").Lang("en")
	if en.Terms[0].Text != "open cluster" || en.Terms[0].Status != StatusPreferred || en.Terms[1].Text != "galactic cluster" || en.Terms[1].Status != StatusDeprecated {
		t.Errorf("c1 en terms %+v", en.Terms)
	}
	if en.Definition != "A group of stars formed together in the spiral arms of a galaxy." {
		t.Errorf("definition %q", en.Definition)
	}
	// Escaped pseudo-markup in SDL definitions is text and stays text.
	sdl := load("lisa-sample_sdl-adobe_tbx-v2_en-de.tbx")
	found := false
	for _, c := range sdl.Concepts() {
		for _, l := range c.Langs {
			if strings.Contains(l.Definition, "<A=c175:c175-en-t1>secondary color</A>") {
				found = true
			}
		}
	}
	if !found {
		t.Error("SDL definition markup lost")
	}
	bom := load("okapi_test01_bom_en-hu.tbx")
	if hu := bom.Concept("eid-Oracle-67").Lang("hu"); hu == nil || hu.Terms[0].Text != "Alfa simítási tényező" {
		t.Errorf("hu: %+v", bom.Concept("eid-Oracle-67"))
	}
}

// The DCA and DCT files of the astronomy sample hold the same terms: DCT's
// namespaced elements must read like DCA's typed ones.
func TestCorpusDCAAndDCTGiveTheSameTerms(t *testing.T) {
	dir := corpusDir(t)
	flat := func(name string) []string {
		im, err := ImportFile(context.Background(), filepath.Join(dir, name), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range im.Termbase.Concepts() {
			for _, l := range c.Langs {
				for _, t := range l.Terms {
					out = append(out, strings.Join([]string{c.ID, c.SubjectField, l.Locale, l.Definition, t.Text, string(t.Status), t.Type, t.PartOfSpeech, t.Context}, "|"))
				}
			}
		}
		return out
	}
	dca, dct := flat("ltac_tbx-basic-v3_astronomy_dca_en-es-zu.tbx"), flat("ltac_tbx-basic-v3_astronomy_dct_en-es-zu.tbx")
	if len(dca) != len(dct) {
		t.Fatalf("%d terms vs %d", len(dca), len(dct))
	}
	for i := range dca {
		if dca[i] != dct[i] {
			t.Errorf("DCA %q\nDCT %q", dca[i], dct[i])
		}
	}
}

func TestEveryCorpusCSVAndTSVImports(t *testing.T) {
	dir := corpusDir(t)
	countRows := func(t *testing.T, path string) int {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
			data, err = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
			if err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) != "" {
				n++
			}
		}
		return n
	}
	for _, pat := range []string{"*.csv", "*.tsv"} {
		files, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, path := range files {
			t.Run(filepath.Base(path), func(t *testing.T) {
				// The fixtures are two-column files without a header, so their
				// languages have to be given.
				im, err := ImportFile(context.Background(), path, ImportOptions{SourceLang: "en", TargetLang: "de"})
				if err != nil {
					t.Fatal(err)
				}
				rows := countRows(t, path)
				if im.Termbase.Len() != rows || im.Terms() != 2*rows {
					t.Errorf("imported %d concepts and %d terms from %d rows", im.Termbase.Len(), im.Terms(), rows)
				}
				if len(im.Problems) > 0 {
					t.Errorf("problems: %v", im.Problems)
				}
				roundTrip(t, im.Termbase)
			})
		}
	}
	// Content: padding is trimmed inside and outside quotes; UTF-16BE is read.
	im, err := ImportFile(context.Background(), filepath.Join(dir, "okapi_test01_glossary_src-tgt.csv"), ImportOptions{SourceLang: "en", TargetLang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range im.Termbase.Concepts() {
		if s := c.Lang("en").Terms[0].Text; s != strings.TrimSpace(s) || !strings.HasPrefix(s, "source ") {
			t.Errorf("source term %q", s)
		}
	}
	im, err = ImportFile(context.Background(), filepath.Join(dir, "okapi_test02_glossary_utf16be.tsv"), ImportOptions{SourceLang: "en", TargetLang: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if im.Encoding != "utf-16be" || im.Termbase.Concept("source-2").Lang("de").Terms[0].Text != "éßÑ￦ target 2" {
		t.Errorf("utf-16be: %s %+v", im.Encoding, im.Termbase.Concept("source-2"))
	}
}
