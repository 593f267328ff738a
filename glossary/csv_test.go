package glossary

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCSVWithLanguageHeaderAndGoogleColumns(t *testing.T) {
	doc := "en,zh-CN,es-MX,pos,description\n" +
		"frequency inverter,变频器,variador de frecuencia,noun,Device that drives a motor at variable speed\n" +
		"\"braking resistor, external\",制动电阻,,noun,\n"
	im, err := importString("g.csv", doc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := im.Termbase.Concept("frequency-inverter")
	if c == nil || c.Lang("zh-CN").Terms[0].Text != "变频器" || c.Lang("es-MX").Terms[0].PartOfSpeech != "noun" || c.Definition != "Device that drives a motor at variable speed" {
		t.Fatalf("concept %+v", c)
	}
	b := im.Termbase.Concept("braking-resistor-external")
	if b == nil || b.Lang("es-MX") != nil || b.Lang("en").Terms[0].Text != "braking resistor, external" {
		t.Errorf("quoted comma / empty cell: %+v", b)
	}
	if im.Lines["braking-resistor-external"] != 3 {
		t.Errorf("lines %v", im.Lines)
	}
	// Header cells are case-insensitive and may use "_".
	im, err = importString("h.tsv", "EN\tZH_cn\nmotor\t电机\n", ImportOptions{})
	if err != nil || im.Termbase.Concept("motor").Lang("zh-CN") == nil {
		t.Errorf("tsv header: %v %+v", err, im)
	}
}

func TestCSVDelimitersAndPairFiles(t *testing.T) {
	// Excel in many European locales writes ';'.
	im, err := importString("semi.csv", "de;fr\nFrequenzumrichter;variateur de fréquence\n", ImportOptions{})
	if err != nil || im.Termbase.Concept("frequenzumrichter").Lang("fr").Terms[0].Text != "variateur de fréquence" {
		t.Errorf("semicolons: %v", err)
	}
	// Pair files: languages from the options, the file name, or DeepL's
	// optional third and fourth columns.
	im, err = importString("glossary.csv", "pump,Pumpe\n", ImportOptions{SourceLang: "en", TargetLang: "de"})
	if err != nil || im.Termbase.Concept("pump").Lang("de") == nil {
		t.Errorf("options: %v", err)
	}
	im, err = importString("exports/en_zh-CN.csv", "pump,泵\n", ImportOptions{})
	if err != nil || im.Termbase.Concept("pump").Lang("zh-CN") == nil {
		t.Errorf("file name: %v", err)
	}
	im, err = importString("deepl.csv", "pump,Pumpe,en,de\nvalve,vanne,en,fr\n", ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if im.Termbase.Concept("pump").Lang("de") == nil || im.Termbase.Concept("valve").Lang("fr") == nil {
		t.Errorf("deepl columns: %+v", im.Termbase.Concepts())
	}
	// A name that merely looks like languages is not taken for them.
	if _, err := importString("okapi_test01_glossary_src-tgt.csv", "a,b\n", ImportOptions{}); err == nil {
		t.Error("src-tgt taken for languages")
	}
}

func TestTermSetsExportReadsBack(t *testing.T) {
	tb := fixture(t)
	var buf bytes.Buffer
	n, err := WriteTermSets(&buf, tb, []string{"en", "de", "zh-CN", "es-MX", "ja"}, ',')
	if err != nil {
		t.Fatal(err)
	}
	if n != tb.Len() {
		t.Errorf("%d rows for %d concepts", n, tb.Len())
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if lines[0] != "en,de,zh-CN,es-MX,ja,pos,description" {
		t.Errorf("header %q", lines[0])
	}
	// The description is the definition of the first language that has one.
	if !slices.Contains(lines, "frequency inverter,Frequenzumrichter,变频器,variador de frecuencia,インバータ,noun,Device that converts the mains supply into an AC voltage of adjustable frequency and amplitude to drive a three-phase motor.") {
		t.Errorf("rows:\n%s", buf.String())
	}
	// braking-resistor has a generic "zh" term, which serves zh-CN.
	if !slices.Contains(lines, "braking resistor,Bremswiderstand,制动电阻,resistencia de frenado,制動抵抗,noun,") {
		t.Errorf("rows:\n%s", buf.String())
	}
	back, err := importString("sets.csv", buf.String(), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if back.Termbase.Len() != tb.Len() || len(back.Problems) > 0 {
		t.Errorf("re-import: %d concepts, problems %v", back.Termbase.Len(), back.Problems)
	}
}

func TestPairExportsForTranslationServices(t *testing.T) {
	tb := fixture(t)
	dir := t.TempDir()
	reps, err := WritePairFiles(dir, tb, []string{"en", "de", "es-MX"}, ',')
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 6 {
		t.Fatalf("%d pair files", len(reps))
	}
	data, err := os.ReadFile(filepath.Join(dir, "en_de.csv"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(string(data)), "\n")
	want := []string{
		"braking resistor,Bremswiderstand",
		"DC link,Zwischenkreis",
		"DC bus,Zwischenkreis",
		"frequency inverter,Frequenzumrichter",
		"variable frequency drive,Frequenzumrichter",
		"VFD,Frequenzumrichter",
		"motor,Motor",
		"overcurrent fault,Überstromfehler",
		"parameter,Parameter",
	}
	if !slices.Equal(got, want) {
		t.Errorf("en_de.csv:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Deprecated and forbidden terms are not glossary entries.
	if strings.Contains(string(data), "frequency changer") || strings.Contains(string(data), "intermediate circuit") {
		t.Error("deprecated or forbidden term exported")
	}
	// es-MX takes es-MX and generic es terms, never es-ES ones.
	data, _ = os.ReadFile(filepath.Join(dir, "es-MX_en.csv"))
	if strings.Contains(string(data), "convertidor") || !strings.Contains(string(data), "variador de frecuencia,frequency inverter") || !strings.Contains(string(data), "bus de CC,DC link") {
		t.Errorf("es-MX_en.csv:\n%s", data)
	}
	// Each file imports back with its languages taken from its name.
	for _, r := range reps {
		im, err := ImportFile(context.Background(), r.File, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if im.Termbase.Len() != r.Entries || len(im.Problems) > 0 {
			t.Errorf("%s: %d entries written, %d read, problems %v", r.File, r.Entries, im.Termbase.Len(), im.Problems)
		}
	}
}

func TestPairExportKeepsOneTargetPerSourceTerm(t *testing.T) {
	tb := New()
	for _, c := range []*Concept{
		{ID: "a", Langs: []LangSec{{Locale: "en", Terms: []Term{{Text: "drive"}}}, {Locale: "de", Terms: []Term{{Text: "Antrieb"}}}}},
		{ID: "b", Langs: []LangSec{{Locale: "en", Terms: []Term{{Text: "drive"}}}, {Locale: "de", Terms: []Term{{Text: "Laufwerk"}}}}},
		{ID: "c", Langs: []LangSec{{Locale: "en", Terms: []Term{{Text: "pump"}}}}},
	} {
		if err := tb.Put(c); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	rep, err := WritePairs(&buf, tb, "en", "de", '\t')
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != "drive\tAntrieb\n" || rep.Entries != 1 || rep.Missing != 1 || len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0], "concepts a and b") {
		t.Errorf("output %q, report %+v", buf.String(), rep)
	}
}
