package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"

	"github.com/kbops/kbops/sources/sourcetest"
)

// glossaryTestRoot is the repository root.
func glossaryTestRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

func glossaryCorpus(t *testing.T) string {
	t.Helper()
	return sourcetest.Corpus(t, "glossary")
}

// glossaryFixtureDir makes a glossary folder holding the inverter fixture
// termbase of the glossary package.
func glossaryFixtureDir(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(glossaryTestRoot(), "glossary", "testdata", "inverter.tbx"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "glossary")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, glossary.TermbaseFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func glossaryExitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return exitFailed
	}
	return exitOK
}

func TestGlossaryImportMergesIntoTheWorkspace(t *testing.T) {
	corpus := glossaryCorpus(t)
	dir := filepath.Join(t.TempDir(), "glossary")
	files := []string{
		filepath.Join(corpus, "ltac_tbx-basic-v3_astronomy_dca_en-es-zu.tbx"),
		filepath.Join(corpus, "lisa-sample_maryland-vocabcod_tbx-v2_fr-it-es-en.tbx"),
	}
	var out bytes.Buffer
	err := runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir}, files, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"no termbase yet, starting one",
		"ltac_tbx-basic-v3_astronomy_dca_en-es-zu.tbx: 45 concepts, 113 terms (tbx, utf-8)",
		"not kept (kbops has no field for them): transaction ×316, source ×178, xGraphic ×34",
		"46 concepts added, 0 changed, 46 in all",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	p := filepath.Join(dir, glossary.TermbaseFile)
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Importing the same files again changes nothing and writes nothing.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	out.Reset()
	if err := runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir}, files, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 concepts added, 0 changed, 46 in all") {
		t.Errorf("second import:\n%s", out.String())
	}
	after, _ := os.ReadFile(p)
	if st, _ := os.Stat(p); !bytes.Equal(before, after) || !st.ModTime().Equal(old) {
		t.Error("unchanged termbase was rewritten")
	}
	// A pair CSV needs its languages.
	out.Reset()
	csv := filepath.Join(corpus, "okapi_test01_glossary_src-tgt.csv")
	err = runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir}, []string{csv}, &out)
	if glossaryExitCode(err) != exitAttention || !strings.Contains(out.String(), "--source-lang and --target-lang") {
		t.Errorf("csv without languages: %v\n%s", err, out.String())
	}
	// Its rows 3 and 4 are the same pair once trimmed: one concept.
	out.Reset()
	if err := runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir, SourceLang: "en", TargetLang: "de", DryRun: true}, []string{csv}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "3 concepts added, 0 changed, 49 in all (dry run: nothing written)") {
		t.Errorf("dry run:\n%s", out.String())
	}
	if after2, _ := os.ReadFile(p); !bytes.Equal(after2, before) {
		t.Error("dry run wrote the termbase")
	}
}

func TestGlossaryImportReportsBadFilesAndConflicts(t *testing.T) {
	corpus := glossaryCorpus(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "glossary")
	bad := filepath.Join(tmp, "bad.tbx")
	os.WriteFile(bad, []byte("<martif>\n<text><body><termEntry id='x'>\n<langSet xml:lang='en'><tig><term>pump</tig>"), 0o644)
	files := []string{
		filepath.Join(corpus, "lisa-sample_ibm_tbx-v2_en-fr.tbx"),
		bad,
		filepath.Join(corpus, "lisa-sample_sdl-adobe_tbx-v2_en-de.tbx"),
	}
	var out bytes.Buffer
	err := runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir}, files, &out)
	if glossaryExitCode(err) != exitAttention || !strings.Contains(err.Error(), "1 of 3 files could not be imported") {
		t.Errorf("error %v", err)
	}
	for _, want := range []string{
		bad + ":3: malformed XML",
		"lisa-sample_sdl-adobe_tbx-v2_en-de.tbx:272: empty term in de; skipped",
		"... and 24 more skipped or doubtful entries",
		"lisa-sample_sdl-adobe_tbx-v2_en-de.tbx:27: concept c1: an existing concept has this id but no term in common",
		"224 concepts added",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The files that could be read were merged and saved.
	tb, err := glossary.Load(dir)
	if err != nil || tb.Len() != 224 {
		t.Errorf("saved termbase: %v, %d concepts", err, tb.Len())
	}

	err = runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir}, nil, &out)
	if glossaryExitCode(err) != exitUsage || !strings.Contains(err.Error(), "kbops glossary import FILE") {
		t.Errorf("no args: %v", err)
	}
	err = runGlossaryImport(context.Background(), glossaryImportOptions{Dir: dir}, []string{files[0], "--dir", "x"}, &out)
	if glossaryExitCode(err) != exitUsage || !strings.Contains(err.Error(), "put flags first") {
		t.Errorf("flag after args: %v", err)
	}
}

func TestGlossaryExportFormats(t *testing.T) {
	dir := glossaryFixtureDir(t)
	tmp := t.TempDir()
	var out bytes.Buffer
	// TBX to a file is the termbase itself.
	tbx := filepath.Join(tmp, "all.tbx")
	if err := runGlossaryExport(context.Background(), glossaryExportOptions{Dir: dir, Format: "tbx", Out: tbx}, nil, &out); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(tbx)
	b, _ := os.ReadFile(filepath.Join(dir, glossary.TermbaseFile))
	if !bytes.Equal(a, b) {
		t.Error("tbx export differs from the termbase file")
	}
	// Equivalent term sets to standard output.
	out.Reset()
	if err := runGlossaryExport(context.Background(), glossaryExportOptions{Dir: dir, Format: "csv", Langs: []string{"en", "zh-CN"}}, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "en,zh-CN,pos,description\n") || !strings.Contains(out.String(), "frequency inverter,变频器,noun,") {
		t.Errorf("csv:\n%s", out.String())
	}
	// Pair glossaries into a folder.
	out.Reset()
	pairs := filepath.Join(tmp, "deepl")
	if err := runGlossaryExport(context.Background(), glossaryExportOptions{Dir: dir, Format: "pairs", Langs: []string{"en", "de"}, Out: pairs}, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), filepath.Join(pairs, "en_de.csv")+": 9 entries") || !strings.Contains(out.String(), filepath.Join(pairs, "de_en.csv")) {
		t.Errorf("pairs:\n%s", out.String())
	}
	for _, c := range []struct {
		opts glossaryExportOptions
		want string
	}{
		{glossaryExportOptions{Dir: dir, Format: "pairs", Langs: []string{"en", "de"}}, "give a folder with --out DIR"},
		{glossaryExportOptions{Dir: dir, Format: "xlsx"}, `unknown --format "xlsx"`},
		{glossaryExportOptions{Dir: dir, Format: "csv", Langs: []string{"english"}}, "not a BCP 47 language tag"},
		{glossaryExportOptions{Dir: filepath.Join(tmp, "none"), Format: "tbx"}, "import one first"},
	} {
		err := runGlossaryExport(context.Background(), c.opts, nil, &out)
		if glossaryExitCode(err) != exitUsage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v", c.opts, err)
		}
	}
}

// glossaryUnitFile writes a valid unit file and returns its path.
func glossaryUnitFile(t *testing.T, dir, id, lang, title, body string) string {
	t.Helper()
	u := knowledge.Unit{
		ID: id, Version: 1, Title: title, Language: lang, Layer: knowledge.LayerCore, Kind: knowledge.KindNote,
		Product: "vf-200",
		Source: knowledge.Source{Name: "notes", Kind: "notes", URI: "file:///notes/" + id + ".md", Document: id + ".md",
			FetchedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), Hash: "sha256:00"},
		Tier: knowledge.TierInternal, Effective: knowledge.DateOf(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
		Owner: "alice@example.com", Access: knowledge.AccessCustomer, Status: knowledge.StatusActive, Body: body,
	}
	u.ContentHash = knowledge.ComputeHash(u)
	data, err := knowledge.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, knowledge.FilePath(id))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// glossaryFileLine returns the 1-based line of the first line of path
// containing s.
func glossaryFileLine(t *testing.T, path, s string) int {
	data, _ := os.ReadFile(path)
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no %q", path, s)
	return 0
}

func TestGlossaryCheckPrintsFindingsWithFileLines(t *testing.T) {
	dir := glossaryFixtureDir(t)
	ws := filepath.Dir(dir)
	en := glossaryUnitFile(t, ws, "notes/en/cabinet", "en", "Installing the frequency inverter",
		"Mount the frequency inverter vertically.\n\nNever open the frequency changer while the DC link is charged.")
	es := glossaryUnitFile(t, ws, "notes/es-mx/gabinete", "es-MX", "Instalación",
		"Monte el convertidor de frecuencia en vertical.")
	glossaryUnitFile(t, ws, "notes/en/reset", "en", "Reset", "Reset the variable frequency drive after an overcurrent fault.")
	os.WriteFile(filepath.Join(ws, "units", "notes", "broken.md"), []byte("no front matter"), 0o644)

	var out bytes.Buffer
	err := runGlossaryCheck(context.Background(), glossaryCheckOptions{Dir: dir}, nil, &out)
	if glossaryExitCode(err) != exitAttention {
		t.Errorf("exit %d (%v)", glossaryExitCode(err), err)
	}
	text := out.String()
	for _, want := range []string{
		en + ":" + itoa(glossaryFileLine(t, en, "frequency changer")) + ": error forbidden-term: \"frequency changer\" is forbidden (concept frequency-inverter); use \"frequency inverter\"",
		es + ":" + itoa(glossaryFileLine(t, es, "convertidor")) + ": warning wrong-variant: \"convertidor de frecuencia\" is the es-ES term",
		"warning inconsistent-term-product: concept frequency-inverter is written 2 ways in the en units of product \"vf-200\"",
		filepath.Join(ws, "units", "notes", "broken.md") + ":1: error unreadable: not a unit file",
		"3 units checked, 3 mention glossary concepts: 2 errors, 2 warnings",
		"concepts used without a term in: ar 2 (--all lists them)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// JSON for tools; --targets narrows the gap report.
	out.Reset()
	_ = runGlossaryCheck(context.Background(), glossaryCheckOptions{Dir: dir, JSON: true, All: true, Targets: []string{"en", "de"}}, []string{filepath.Join(ws, "units", "notes", "en")}, &out)
	var fs []glossary.FileFinding
	if err := json.Unmarshal(out.Bytes(), &fs); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	codes := map[string]int{}
	for _, f := range fs {
		codes[f.Code]++
	}
	if codes["forbidden-term"] != 1 || codes["inconsistent-term-product"] != 1 || codes["missing-translation"] != 0 {
		t.Errorf("codes %v", codes)
	}

	err = runGlossaryCheck(context.Background(), glossaryCheckOptions{Dir: dir, Strict: true}, []string{es}, &out)
	if glossaryExitCode(err) != exitAttention || !strings.Contains(err.Error(), "1 terminology warnings") {
		t.Errorf("strict: %v", err)
	}
	err = runGlossaryCheck(context.Background(), glossaryCheckOptions{Dir: filepath.Join(t.TempDir(), "glossary")}, []string{es}, &out)
	if glossaryExitCode(err) != exitUsage || !strings.Contains(err.Error(), "import one first") {
		t.Errorf("no termbase: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestGlossaryStats(t *testing.T) {
	dir := glossaryFixtureDir(t)
	var out bytes.Buffer
	if err := runGlossaryStats(context.Background(), glossaryStatsOptions{Dir: dir}, nil, &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"termbase.tbx: 6 concepts, 69 terms", "concepts without a usable term: en 0, zh 0, es 0, de 0, fr 0, pt 0, ar 3, ru 1, ja 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// Any glossary file, outside a workspace, as JSON.
	corpus := glossaryCorpus(t)
	out.Reset()
	file := filepath.Join(corpus, "lisa-sample_sdl-adobe_tbx-v2_en-de.tbx")
	if err := runGlossaryStats(context.Background(), glossaryStatsOptions{JSON: true, Targets: []string{"en", "de", "fr"}}, []string{file}, &out); err != nil {
		t.Fatal(err)
	}
	var st struct {
		File      string
		Concepts  int
		Terms     int
		Languages []glossary.LangStats
		Gaps      map[string]int
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st.File != file || st.Concepts != 223 || st.Terms != 472 || len(st.Languages) != 2 || st.Gaps["fr"] != 223 {
		t.Errorf("stats %+v", st)
	}
	err := runGlossaryStats(context.Background(), glossaryStatsOptions{Dir: filepath.Join(t.TempDir(), "g")}, nil, &out)
	if glossaryExitCode(err) != exitUsage || !strings.Contains(err.Error(), "kbops glossary import FILE") {
		t.Errorf("no termbase: %v", err)
	}
}

func TestGlossaryCommandHelpHasExamples(t *testing.T) {
	cmd := glossaryCommand()
	if !strings.Contains(cmd.Description, "kbops glossary import") {
		t.Error("glossary --help has no example")
	}
	names := map[string]bool{}
	for _, sub := range cmd.Subcommands {
		names[sub.Name] = true
		if !strings.Contains(sub.Description, "Example:") || !strings.Contains(sub.Description, "kbops glossary "+sub.Name) {
			t.Errorf("%s --help has no example", sub.Name)
		}
	}
	for _, n := range []string{"import", "export", "check", "stats"} {
		if !names[n] {
			t.Errorf("no %s subcommand", n)
		}
	}
	// The command runs through the CLI parser, flags before arguments.
	dir := glossaryFixtureDir(t)
	var out, errOut bytes.Buffer
	app := newApp(&out, &errOut)
	if err := app.Run([]string{"kbops", "glossary", "stats", "--dir", dir}); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "6 concepts") {
		t.Errorf("output %q", out.String())
	}
}
