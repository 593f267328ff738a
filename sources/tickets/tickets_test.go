package tickets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge/template"
	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

type result struct {
	secs  []sources.Section
	warns []error
	rep   Report
	err   error
	logs  string
}

func run(t testing.TB, o Options, name string, data []byte) result {
	t.Helper()
	var logs bytes.Buffer
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	var res result
	doc := sources.Document{Item: sources.Item{Key: name, Size: int64(len(data))}, Name: name, Body: bytes.NewReader(data)}
	res.rep, res.err = ExtractReport(context.Background(), o, doc,
		func(s sources.Section) error { res.secs = append(res.secs, s); return nil },
		func(err error) { res.warns = append(res.warns, err) })
	res.logs = logs.String()
	return res
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corpusDir(t testing.TB) string {
	dir := sourcetest.Corpus(t, "tickets")
	return dir
}

// TestCorpus reads the public ticket datasets and prints what they give.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(files) == 0 {
		t.Skip("no ticket files in corpus")
	}
	for _, f := range files {
		name := filepath.Base(f)
		r := run(t, Options{}, name, readFile(t, f))
		if r.err != nil {
			t.Fatalf("%s: %v", name, r.err)
		}
		t.Logf("%s\n  rows read %d, skipped %v, scenario sections %d, merge rate %.1f%%, languages %v, redacted %s, warnings %d",
			name, r.rep.Rows, r.rep.Skipped, r.rep.Sections, 100*r.rep.MergeRate(), r.rep.Languages, r.rep.Redacted, r.rep.Warnings)
		if r.rep.Preset != "tobi-bueck" {
			t.Errorf("%s: preset %q detected, want tobi-bueck", name, r.rep.Preset)
		}
		if r.rep.Rows < 1000 || r.rep.Sections < r.rep.Rows/2 {
			t.Errorf("%s: %d rows gave %d sections", name, r.rep.Rows, r.rep.Sections)
		}
		occ := 0
		for _, s := range r.secs {
			occ += s.Occurrences
			if strings.Contains(s.Text, `\n`) {
				t.Errorf("%s: literal \\n left in %v", name, s.Headings)
			}
			if strings.Contains(s.Text, "\r") {
				t.Errorf("%s: carriage return left in %v", name, s.Headings)
			}
			// Headings are in the ticket's language (the corpus has en, de,
			// es, fr and pt).
			for _, k := range []template.Section{template.Background, template.Symptom, template.Resolution} {
				if h := "## " + template.Heading(k, s.Language) + "\n"; !strings.Contains(s.Text, h) {
					t.Errorf("%s %v: no %q", name, s.Headings, h)
				}
			}
			if s.Layer != "scenario" || (s.Kind != "faq" && s.Kind != "troubleshooting") || s.Language == "" || len(s.Headings) != 2 {
				t.Errorf("%s: bad section metadata %+v", name, s)
			}
			if strings.Contains(s.Text, "<tel_num>") && strings.Contains(s.Text, "<phone>") && false {
				t.Log("both")
			}
		}
		if occ != r.rep.Tickets {
			t.Errorf("%s: occurrences sum to %d, %d tickets kept", name, occ, r.rep.Tickets)
		}
	}
}

// TestCorpusPlaceholdersKept checks the dataset's own placeholders survive.
func TestCorpusPlaceholdersKept(t *testing.T) {
	dir := corpusDir(t)
	f := filepath.Join(dir, "tobi-bueck_tickets_multi-lang3_en-de-es-fr-pt_1167rows.csv")
	if _, err := os.Stat(f); err != nil {
		t.Skip(err)
	}
	r := run(t, Options{}, filepath.Base(f), readFile(t, f))
	all := ""
	for _, s := range r.secs {
		all += s.Text
	}
	for _, p := range []string{"<name>", "<tel_num>", "<acc_num>"} {
		if !strings.Contains(all, p) {
			t.Errorf("placeholder %s lost", p)
		}
	}
}

func seeds(t *testing.T) []string {
	var out []string
	for _, l := range strings.Split(string(readFile(t, "testdata/pii_seeds.txt")), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func piiOptions() Options {
	return Options{Redact: redact.Config{Patterns: []redact.Pattern{{Kind: "national_id", Regexp: `\b\d{8}[A-Z]\b`}}}}
}

// TestNoLeaks: every seeded personal value is gone from sections, the
// report, warnings and logs.
func TestNoLeaks(t *testing.T) {
	seedList := seeds(t)
	total := redact.Counts{}
	for _, name := range []string{"pii_freshdesk.csv", "pii_zendesk.json", "pii_zendesk.jsonl", "pii_tobi_bueck.csv"} {
		r := run(t, piiOptions(), name, readFile(t, filepath.Join("testdata", name)))
		if r.err != nil {
			t.Fatalf("%s: %v", name, r.err)
		}
		if len(r.secs) == 0 {
			t.Fatalf("%s: no sections", name)
		}
		total.Add(r.rep.Redacted)
		var out strings.Builder
		for _, s := range r.secs {
			fmt.Fprintf(&out, "%+v\n", s)
		}
		fmt.Fprintf(&out, "%+v\n%s\n%s\n", r.rep, r.rep, r.logs)
		for _, w := range r.warns {
			fmt.Fprintln(&out, w)
		}
		lower := strings.ToLower(out.String())
		for _, v := range seedList {
			if strings.Contains(lower, strings.ToLower(v)) {
				t.Errorf("%s: %q leaked", name, v)
			}
		}
		t.Logf("%s: %s", name, r.rep)
	}
	for _, k := range []redact.Kind{redact.Email, redact.Phone, redact.Card, redact.IBAN, redact.IP, redact.Name, "national_id"} {
		if total[k] == 0 {
			t.Errorf("no %s redacted in the seeded exports", k)
		}
	}
}

// TestNamesWithoutRequesterField: the tobi-bueck layout maps no requester,
// yet the names its texts give (introductions, greetings, sign-offs, an
// agent's signature) and their other mentions are redacted, while the
// words around them stay.
func TestNamesWithoutRequesterField(t *testing.T) {
	r := run(t, Options{}, "pii_tobi_bueck.csv", readFile(t, "testdata/pii_tobi_bueck.csv"))
	if r.err != nil || r.rep.Preset != "tobi-bueck" || len(r.secs) != 3 {
		t.Fatalf("err %v report %s, %d sections", r.err, r.rep, len(r.secs))
	}
	var all strings.Builder
	for _, s := range r.secs {
		all.WriteString(s.Text + "\n" + strings.Join(s.Headings, "/") + "\n" + s.Title + "\n")
	}
	text := all.String()
	for _, leak := range []string{"Jane", "Doe", "Marek", "Dvořák", "Siobhan", "Gallagher", "Tomasz", "Wiśniewski"} {
		if regexp.MustCompile(`\b` + leak + `\b`).MatchString(text) {
			t.Errorf("%q survives:\n%s", leak, text)
		}
	}
	for _, kept := range []string{"VF-200", "Technical Support", "motor insulation", "if it will help", "Firmware 2.1.4", "Monterrey plant"} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q was lost:\n%s", kept, text)
		}
	}
	if r.rep.Redacted[redact.Name] < 8 {
		t.Errorf("report %s", r.rep)
	}
}

// TestCorpusLearnsNoNames: the public ticket corpus is anonymised already
// (its names are <name> placeholders), so every name learned from its
// texts would be a word wrongly taken for one.
func TestCorpusLearnsNoNames(t *testing.T) {
	dir := corpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, f := range files {
		r := run(t, Options{}, filepath.Base(f), readFile(t, f))
		if r.err != nil {
			t.Fatal(r.err)
		}
		if n := r.rep.Redacted[redact.Name]; n != 0 {
			t.Errorf("%s: %d words redacted as names", filepath.Base(f), n)
		}
	}
}

func TestFreshdeskCSV(t *testing.T) {
	r := run(t, piiOptions(), "pii_freshdesk.csv", readFile(t, "testdata/pii_freshdesk.csv"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.rep.Preset != "freshdesk" || r.rep.Rows != 5 {
		t.Errorf("preset %q rows %d", r.rep.Preset, r.rep.Rows)
	}
	// 1001 and 1002 are the same problem; 1003 is open; the broken row is
	// reported by line; 1005 stands alone.
	if r.rep.Skipped[SkipUnsolved] != 1 || r.rep.Skipped[SkipMalformed] != 1 || r.rep.Merged != 1 || len(r.secs) != 2 {
		t.Errorf("report %s, %d sections", r.rep, len(r.secs))
	}
	var malformed *sources.ItemError
	for _, w := range r.warns {
		if errors.As(w, &malformed) && malformed.Place == "line 8" {
			break
		}
		malformed = nil
	}
	if malformed == nil {
		t.Errorf("no warning at line 8 for the malformed row: %v", r.warns)
	}
	s := r.secs[0]
	if s.Occurrences != 2 || s.Locator != "tickets 1001, 1002" || !reflect.DeepEqual(s.Headings, []string{"Hardware", "ticket 1001"}) {
		t.Errorf("merged section %+v", s)
	}
	if s.Kind != "troubleshooting" || s.Language != "de" || s.Product != "LaserJet 5" || s.Effective.IsZero() {
		t.Errorf("metadata %+v", s)
	}
	if r.secs[1].Kind != "faq" || r.secs[1].Language != "fr" {
		t.Errorf("second section %+v", r.secs[1])
	}
}

func TestZendeskThread(t *testing.T) {
	r := run(t, piiOptions(), "pii_zendesk.json", readFile(t, "testdata/pii_zendesk.json"))
	if r.err != nil || r.rep.Preset != "zendesk" || len(r.secs) != 2 || r.rep.Skipped[SkipUnsolved] != 1 {
		t.Fatalf("err %v report %s", r.err, r.rep)
	}
	s := r.secs[0]
	if !strings.Contains(s.Text, "## 解决方法\n\nPlease clear the app cache") || strings.Contains(s.Text, "internal:") {
		t.Errorf("resolution is not the last public agent comment:\n%s", s.Text)
	}
	if s.Language != "zh-CN" || s.Headings[1] != "ticket 501" {
		t.Errorf("section %+v", s)
	}
	// JSON Lines: a bad line is reported by number, the rest goes on.
	r = run(t, piiOptions(), "pii_zendesk.jsonl", readFile(t, "testdata/pii_zendesk.jsonl"))
	if r.err != nil || len(r.secs) != 2 || r.rep.Skipped[SkipMalformed] != 1 {
		t.Fatalf("jsonl: err %v report %s", r.err, r.rep)
	}
	found := false
	for _, w := range r.warns {
		var ie *sources.ItemError
		if errors.As(w, &ie) && ie.Place == "line 2" {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning at line 2: %v", r.warns)
	}
	if r.secs[1].Language != "es-MX" {
		t.Errorf("language %q", r.secs[1].Language)
	}
}

// makeCSV writes tickets in the corpus layout.
func makeCSV(rows [][3]string) []byte {
	var b bytes.Buffer
	b.WriteString("subject,body,answer,type,queue,priority,language,tag_1,tag_2\r\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%q,%q,%q,Incident,Tech,high,en,a,b\r\n", r[0], r[1], r[2])
	}
	return b.Bytes()
}

func TestStableAndIncremental(t *testing.T) {
	base := [][3]string{
		{"Sync fails", "The calendar sync fails with error 0x80040154 after the Outlook update on Windows 11.", "Re-register the sync add-in and restart Outlook."},
		{"Printer offline", "The network printer shows offline although it answers ping; the driver is version 5.2.", "Set a static IP on the printer and re-add it."},
		{"Export empty", "The CSV export of the report is empty when the date filter spans two years.", "Split the export into yearly ranges; fixed in 4.1."},
	}
	first := run(t, Options{}, "t.csv", makeCSV(base))
	again := run(t, Options{}, "t.csv", makeCSV(base))
	if first.err != nil || !reflect.DeepEqual(first.secs, again.secs) {
		t.Fatalf("re-extraction differs (err %v)", first.err)
	}
	more := append(append([][3]string{}, base...),
		[3]string{"Sync fails!", "The calendar sync fails with error 0x80040154 after the Outlook update on Windows 11!", "Re-register the sync add-in, then restart Outlook."},
		[3]string{"VPN drops", "The VPN drops every 60 minutes on macOS 14 with the new client.", "Raise the rekey interval on the gateway."},
	)
	next := run(t, Options{}, "t.csv", makeCSV(more))
	if len(next.secs) != 4 {
		t.Fatalf("%d sections, want 4: %s", len(next.secs), next.rep)
	}
	// Untouched scenarios are identical; the matched one only counts up.
	for i := 1; i < 3; i++ {
		if !reflect.DeepEqual(next.secs[i], first.secs[i]) {
			t.Errorf("untouched section %d changed:\n%+v\n%+v", i, first.secs[i], next.secs[i])
		}
	}
	a, b := first.secs[0], next.secs[0]
	if b.Occurrences != 2 || a.Text != b.Text || !reflect.DeepEqual(a.Headings, b.Headings) {
		t.Errorf("similar ticket changed more than the count:\n%+v\n%+v", a, b)
	}
	// A different fix for the same problem replaces the resolution.
	changed := append(append([][3]string{}, base...),
		[3]string{"Sync fails", "The calendar sync fails with error 0x80040154 after the Outlook update on Windows 11.", "Install the hotfix KB5034441 from the vendor portal; the add-in is no longer needed."})
	c := run(t, Options{}, "t.csv", makeCSV(changed))
	if c.secs[0].Occurrences != 2 || !strings.Contains(c.secs[0].Text, "hotfix") || !reflect.DeepEqual(c.secs[0].Headings, a.Headings) {
		t.Errorf("changed resolution not taken:\n%s", c.secs[0].Text)
	}
}

func TestWindowBoundsMatching(t *testing.T) {
	rows := [][3]string{
		{"Fan noise", "The fan of the controller is very loud after the firmware update to 2.4 on all units.", "Set the fan curve to quiet in the service menu."},
		{"Printer offline", "The network printer shows offline although it answers ping; the driver is version 5.2.", "Set a static IP on the printer and re-add it."},
		{"Export empty", "The CSV export of the report is empty when the date filter spans two years.", "Split the export into yearly ranges."},
		{"VPN drops", "The VPN drops every 60 minutes on macOS 14 with the new client.", "Raise the rekey interval on the gateway."},
		{"Fan noise", "The fan of the controller is very loud after the firmware update to 2.4 on all units!", "Set the fan curve to quiet in the service menu."},
	}
	wide := run(t, Options{}, "w.csv", makeCSV(rows))
	narrow := run(t, Options{Window: 2}, "w.csv", makeCSV(rows))
	if len(wide.secs) != 4 || wide.secs[0].Occurrences != 2 {
		t.Fatalf("wide window: %s", wide.rep)
	}
	if len(narrow.secs) != 5 || narrow.secs[0].Occurrences != 1 || narrow.secs[4].Title != "Fan noise" {
		t.Fatalf("narrow window: %s", narrow.rep)
	}
	for i := 1; i < 4; i++ {
		if !reflect.DeepEqual(wide.secs[i], narrow.secs[i]) {
			t.Errorf("section %d differs between windows", i)
		}
	}
}

func TestCSVDialects(t *testing.T) {
	// Tab-separated, windows-1252, bare quote inside an unquoted field,
	// lone CR line ends and a literal \n escape.
	body := "subject\tbody\tanswer\r" +
		"Caf\xe9 machine\tIt says \"descale\" every day\\n\\nsince the update\\n\tDescale with program 3.\r" +
		"Second\tline two \tfixed\n"
	r := run(t, Options{Preset: "tobi-bueck"}, "x.csv", []byte(body))
	if r.err != nil || len(r.secs) != 2 {
		t.Fatalf("err %v report %s", r.err, r.rep)
	}
	if r.rep.Encoding == "" || r.secs[0].Title != "Café machine" {
		t.Errorf("encoding not detected: %q %q", r.rep.Encoding, r.secs[0].Title)
	}
	if !strings.Contains(r.secs[0].Text, "It says \"descale\" every day\n\nsince the update") {
		t.Errorf("text %q", r.secs[0].Text)
	}
	// UTF-16 with BOM.
	u16 := []byte{0xFF, 0xFE}
	for _, c := range "subject,body,answer\nA,b c,d\n" {
		u16 = append(u16, byte(c), byte(c>>8))
	}
	if r := run(t, Options{Preset: "tobi-bueck"}, "y.csv", u16); r.err != nil || len(r.secs) != 1 {
		t.Errorf("utf-16: err %v report %s", r.err, r.rep)
	}
}

func TestRunawayQuoteRecovers(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("subject,body,answer\n")
	b.WriteString("Broken,\"never closed,x\n")
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, "Problem %d,body about widget %d failure,answer %d\n", i, i*7919, i)
	}
	r := run(t, Options{Preset: "tobi-bueck", MaxRecordBytes: 1 << 20}, "z.csv", b.Bytes())
	if r.err != nil || len(r.secs) != 5 || r.rep.Skipped[SkipMalformed] != 1 {
		t.Fatalf("err %v report %s warns %v", r.err, r.rep, r.warns)
	}
	var ie *sources.ItemError
	if !errors.As(r.warns[0], &ie) || ie.Place != "line 2" {
		t.Errorf("warning %v, want line 2", r.warns)
	}
}

func TestBadInputWholeFile(t *testing.T) {
	for name, data := range map[string]string{
		"bin.csv":   "\x00\x01\x02\xff\xfe\x00garbage",
		"empty.csv": "",
		"what.json": `"just a string"`,
		"cols.csv":  "a,b,c\n1,2,3\n",
	} {
		r := run(t, Options{}, name, []byte(data))
		if r.err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(r.err.Error(), name) {
			t.Errorf("%s: error does not name the file: %v", name, r.err)
		}
	}
	// Truncated JSON array: what was read is kept, the cut is reported.
	data := readFile(t, "testdata/pii_zendesk.json")
	cut := data[:bytes.Index(data, []byte(`"id": 503`))]
	r := run(t, piiOptions(), "cut.json", cut)
	if r.err != nil || len(r.secs) != 2 || len(r.warns) == 0 {
		t.Errorf("truncated json: err %v, %d sections, warns %v", r.err, len(r.secs), r.warns)
	}
}

func TestHugeJSONElement(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"users": [{"name": "x"}], "tickets": [`)
	b.WriteString(`{"id": 1, "subject": "Fan noise", "description": "The fan is loud", "status": "solved", "requester_id": 1, "comments": [{"author_id": 1, "body": "The fan is loud"}, {"author_id": 2, "body": "Clean the filter."}]},`)
	b.WriteString(`{"id": 2, "subject": "` + strings.Repeat("A", 200<<10) + `"}]}`)
	r := run(t, Options{MaxRecordBytes: 1 << 10}, "huge.json", b.Bytes())
	if r.err != nil || len(r.secs) != 1 || len(r.warns) == 0 || !strings.Contains(r.warns[0].Error(), "element 2") {
		t.Errorf("err %v, %d sections, warns %v", r.err, len(r.secs), r.warns)
	}
}

func TestOptionsFromSpec(t *testing.T) {
	var spec sources.Spec
	src := `
name: support
kind: tickets
location: exports/
owner: ops
extract:
  preset: zendesk
  fields: {product: custom_fields.product, requester_name: req.name}
  include_unsolved: false
  similarity: 0.7
  redact:
    patterns: [{kind: customer_no, regexp: 'KD-\d+'}]
`
	if err := yaml.Unmarshal([]byte(src), &spec); err != nil {
		t.Fatal(err)
	}
	o, err := OptionsFromSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	if o.Preset != "zendesk" || o.Fields.Product != "custom_fields.product" || o.Similarity != 0.7 || len(o.Redact.Patterns) != 1 {
		t.Errorf("options %+v", o)
	}
	for _, bad := range []string{"preset: nope", "delimiter: x", "similarity: 2", "unknown_key: 1", "redact: {patterns: [{kind: a, regexp: '('}]}"} {
		var s sources.Spec
		yaml.Unmarshal([]byte("name: s\nextract:\n  "+bad+"\n"), &s)
		if _, err := OptionsFromSpec(s); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRegistered(t *testing.T) {
	for _, n := range []string{"a.csv", "b.json", "c.jsonl"} {
		if f := sources.Default.FormatOf(n); f != "tickets" {
			t.Errorf("FormatOf(%s) = %q", n, f)
		}
	}
}

func TestProgress(t *testing.T) {
	var last Progress
	calls := 0
	o := Options{Progress: func(p Progress) { last = p; calls++ }}
	data := readFile(t, "testdata/pii_zendesk.jsonl")
	r := run(t, o, "p.jsonl", data)
	if r.err != nil || calls == 0 || last.Rows != 3 || last.Bytes != int64(len(data)) || last.TotalBytes != int64(len(data)) {
		t.Errorf("progress %+v after %d calls", last, calls)
	}
}

// TestActiveContentIsNeutralised: a ticket's subject becomes the unit's
// title, its body and answer the unit's text; markup in them stays text.
func TestActiveContentIsNeutralised(t *testing.T) {
	rows := [][3]string{{
		"Printer <script>alert(1)</script> offline",
		"The network printer shows offline. " + sourcetest.Hostile,
		"Set a static IP, see [the fix](javascript:alert(5)) <img src=x onerror=alert(6)>.",
	}}
	r := run(t, Options{}, "hostile.csv", makeCSV(rows))
	if r.err != nil {
		t.Fatal(r.err)
	}
	sourcetest.CheckInert(t, r.secs, append(sourcetest.HostileVisible, "Printer", "offline", "the fix", "Set a static IP")...)
	if r.secs[0].Title == "" || !strings.Contains(r.secs[0].Title, "Printer") {
		t.Errorf("title %q does not come from the subject", r.secs[0].Title)
	}
}
