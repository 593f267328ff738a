package tickets

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge/template"
	"github.com/kbops/kbops/sources"
)

func runPrior(t *testing.T, o Options, name, data string, prior []sources.Prior) []sources.Section {
	t.Helper()
	var secs []sources.Section
	doc := sources.Document{Item: sources.Item{Key: name}, Name: name, Body: strings.NewReader(data), Prior: prior}
	if _, err := ExtractReport(context.Background(), o, doc, func(s sources.Section) error { secs = append(secs, s); return nil }, func(error) {}); err != nil {
		t.Fatal(err)
	}
	return secs
}

// priorOf is the unit state ingest hands back for a section.
func priorOf(id, doc string, s sources.Section) sources.Prior {
	return sources.Prior{ID: id, Document: doc, Title: s.Title, Language: s.Language, Kind: s.Kind, Product: s.Product,
		Text: s.Text, Locator: s.Locator, Occurrences: s.Occurrences, SeenIn: s.SeenIn, FirstSeen: s.FirstSeen, LastSeen: s.LastSeen}
}

const nightHeader = "Ticket ID,Subject,Description,Status,Type,Group,Created time,Resolution notes,Language\n"

func TestTicketOfALaterExportContinuesTheEarlierScenario(t *testing.T) {
	o := Options{Preset: "freshdesk"}
	night1 := nightHeader +
		"101,Drive trips with E07 after rain,The VF-200 drive trips with error E07 every time it has rained overnight.,Closed,Incident,Drives,2026-11-30 08:00,Dry the motor terminal box and check the PE connection.,es\n" +
		"102,Display stays dark,The keypad display stays dark after power on.,Closed,Incident,Drives,2026-11-30 09:00,Replace the keypad cable.,es\n"
	first := runPrior(t, o, "night-1.csv", night1, nil)
	if len(first) != 2 || first[0].SeenIn["night-1.csv"] != 1 || first[0].FirstSeen.IsZero() {
		t.Fatalf("first export: %+v", first)
	}
	prior := []sources.Prior{priorOf("helpdesk/night-1-csv/drives/ticket-101", "night-1.csv", first[0]), priorOf("helpdesk/night-1-csv/drives/ticket-102", "night-1.csv", first[1])}

	night2 := nightHeader +
		"230,Drive trips with E07 after the rain,Our VF-200 drive trips with error E07 every time it has rained overnight.,Closed,Incident,Drives,2026-12-01 07:30,Dry the motor terminal box and check the PE connection.,es\n" +
		"231,Firmware update fails,Update to 2.3 stops at 40 %.,Closed,Incident,Drives,2026-12-01 10:00,Use the USB stick method.,es\n"
	second := runPrior(t, o, "night-2.csv", night2, prior)
	if len(second) != 2 {
		t.Fatalf("second export gave %d sections: %+v", len(second), second)
	}
	c := second[0]
	if c.Continues != prior[0].ID || c.Occurrences != 2 || c.Locator != "tickets 101, 230" {
		t.Errorf("continued scenario: continues %q occurrences %d locator %q", c.Continues, c.Occurrences, c.Locator)
	}
	if c.SeenIn["night-1.csv"] != 1 || c.SeenIn["night-2.csv"] != 1 {
		t.Errorf("seen in %v", c.SeenIn)
	}
	if !c.FirstSeen.Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)) || !c.LastSeen.Equal(time.Date(2026, 12, 1, 7, 30, 0, 0, time.UTC)) {
		t.Errorf("first/last seen %v %v", c.FirstSeen, c.LastSeen)
	}
	if c.Text != first[0].Text || !c.Effective.IsZero() {
		t.Errorf("the same fix changed the text or its date:\n%s", c.Text)
	}
	if second[1].Continues != "" || second[1].Headings[1] != "ticket 231" {
		t.Errorf("a new problem continued an old one: %+v", second[1])
	}
	// The prior that did not recur is not emitted at all.
	for _, s := range second {
		if s.Continues == prior[1].ID {
			t.Errorf("the display scenario was emitted without a ticket: %+v", s)
		}
	}

	// Re-reading the second export with the state it produced counts its
	// ticket once, not twice.
	again := runPrior(t, o, "night-2.csv", night2, []sources.Prior{priorOf(prior[0].ID, "night-1.csv", c)})
	if again[0].Occurrences != 2 || again[0].Locator != "tickets 101, 230" {
		t.Errorf("re-read: occurrences %d locator %q", again[0].Occurrences, again[0].Locator)
	}

	// A different fix in a later export replaces the Resolution section,
	// headed in the unit's language, and dates the unit.
	night3 := nightHeader + "377,Drive trips with E07 after rain,The VF-200 drive trips with error E07 every time it has rained overnight.,Closed,Incident,Drives,2026-12-02 06:00,Install the heater kit HK-2 in the cabinet; it keeps condensation away.,es\n"
	third := runPrior(t, o, "night-3.csv", night3, []sources.Prior{priorOf(prior[0].ID, "night-1.csv", c)})
	if len(third) != 1 || third[0].Occurrences != 3 || third[0].Effective.IsZero() {
		t.Fatalf("third export %+v", third)
	}
	res, ok := template.Find(third[0].Text, template.Resolution)
	if !ok || !strings.Contains(res, "heater kit") || strings.Contains(res, "terminal box") || !strings.Contains(third[0].Text, "## Solución\n") {
		t.Errorf("resolution not replaced:\n%s", third[0].Text)
	}
	if strings.Count(third[0].Text, "## ") != 3 {
		t.Errorf("sections lost or doubled:\n%s", third[0].Text)
	}
}

// Tickets in another language do not continue a scenario.
func TestPriorOfAnotherLanguageIsNotContinued(t *testing.T) {
	o := Options{Preset: "freshdesk"}
	data := nightHeader + "1,Drive trips with E07 after rain,The VF-200 drive trips with error E07 every time it has rained overnight.,Closed,Incident,Drives,2026-11-30 08:00,Dry the box.,en\n"
	first := runPrior(t, o, "a.csv", data, nil)
	p := priorOf("h/a-csv/drives/ticket-1", "a.csv", first[0])
	p.Language = "de"
	got := runPrior(t, o, "b.csv", strings.Replace(data, "1,", "2,", 1), []sources.Prior{p})
	if len(got) != 1 || got[0].Continues != "" {
		t.Errorf("continued across languages: %+v", got)
	}
}

func TestRootCauseAndPreventionFromPresets(t *testing.T) {
	fd := "Ticket ID,Subject,Description,Status,Resolution notes,Root cause,Prevention,Language\n" +
		"7,Fan noise,The fan is loud.,Closed,Clean the fan.,Dust in the fan bearing.,Clean the filter every month.,de\n"
	secs := runPrior(t, Options{Preset: "freshdesk"}, "fd.csv", fd, nil)
	if len(secs) != 1 || !strings.Contains(secs[0].Text, "## Ursache\n\nDust in the fan bearing.") || !strings.Contains(secs[0].Text, "## Vorbeugung\n\nClean the filter") {
		t.Errorf("freshdesk root cause / prevention:\n%+v", secs)
	}
	zd := `{"tickets":[{"id":9,"subject":"Fan noise","description":"The fan is loud.","status":"solved","requester_id":1,"locale":"pt-BR",` +
		`"comments":[{"author_id":1,"public":true,"plain_body":"The fan is loud."},{"author_id":2,"public":true,"plain_body":"Clean the fan."}],` +
		`"custom_fields":[{"id":360001,"value":"Dust in the bearing."},{"id":360002,"value":null}]}]}`
	var buf bytes.Buffer
	buf.WriteString(zd)
	secs = runPrior(t, Options{Preset: "zendesk", Fields: Fields{RootCause: "custom_fields.360001", Prevention: "custom_fields.360002"}}, "zd.json", buf.String(), nil)
	if len(secs) != 1 || !strings.Contains(secs[0].Text, "## Causa raiz\n\nDust in the bearing.") || strings.Contains(secs[0].Text, "Prevenção") {
		t.Errorf("zendesk custom field by id:\n%+v", secs)
	}
}

// A unit from before headings were localised (English headings in a
// German scenario) is continued with German headings.
func TestContinuedLegacyUnitGetsLocalisedHeadings(t *testing.T) {
	legacy := sources.Prior{ID: "h/old-csv/antriebe/ticket-1", Document: "old.csv", Title: "Lüfter laut", Language: "de", Kind: "troubleshooting",
		Text:    "## Background\n\n- Category: Antriebe\n\n## Symptom\n\nDer Lüfter des Umrichters ist seit gestern sehr laut.\n\n## Resolution\n\nLüfter reinigen.",
		Locator: "ticket 1", Occurrences: 1}
	data := nightHeader + "2,Lüfter laut,Der Lüfter des Umrichters ist seit gestern sehr laut.,Closed,Incident,Antriebe,2026-12-01 08:00,Lüfter reinigen.,de\n"
	got := runPrior(t, Options{Preset: "freshdesk"}, "new.csv", data, []sources.Prior{legacy})
	if len(got) != 1 || got[0].Continues != legacy.ID || got[0].SeenIn["old.csv"] != 1 || got[0].Occurrences != 2 {
		t.Fatalf("%+v", got)
	}
	want := "## Hintergrund\n\n- Kategorie: Antriebe\n\n## Symptom\n\nDer Lüfter des Umrichters ist seit gestern sehr laut.\n\n## Lösung\n\nLüfter reinigen."
	if got[0].Text != want {
		t.Errorf("text\n%s\nwant\n%s", got[0].Text, want)
	}
}

// BenchmarkCorpusWithPriors extracts the corpus file with the scenarios of
// a first extraction of it as priors: every ticket then has an earlier
// scenario to join, which is the most matching work an export can cause.
func BenchmarkCorpusWithPriors(b *testing.B) {
	data := readFile(b, filepath.Join(corpusDir(b), "tobi-bueck_tickets_multi-lang-4-20k_en-de_first2000rows.csv"))
	first := run(b, Options{}, "night-1.csv", data)
	var prior []sources.Prior
	for i, s := range first.secs {
		prior = append(prior, priorOf(fmt.Sprintf("h/night-1/%d", i), "night-1.csv", s))
	}
	b.SetBytes(int64(len(data)))
	var rows, continued int
	for b.Loop() {
		doc := sources.Document{Item: sources.Item{Key: "night-2.csv"}, Name: "night-2.csv", Body: bytes.NewReader(data), Prior: prior}
		rep, err := ExtractReport(context.Background(), Options{}, doc, func(s sources.Section) error {
			if s.Continues != "" {
				continued++
			}
			return nil
		}, func(error) {})
		if err != nil {
			b.Fatal(err)
		}
		rows += rep.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "tickets/s")
	b.ReportMetric(float64(len(prior)), "priors")
	b.ReportMetric(float64(continued)/float64(b.N), "continued")
}

// A ticket with a subject and no body is continued like any other.
func TestSubjectOnlyTicketContinues(t *testing.T) {
	o := Options{Preset: "freshdesk"}
	data := nightHeader + "1,Help,,Closed,Question,Billing,2026-11-30 08:00,Please tell us more.,en\n"
	first := runPrior(t, o, "a.csv", data, nil)
	if len(first) != 1 {
		t.Fatalf("%+v", first)
	}
	got := runPrior(t, o, "b.csv", strings.Replace(data, "1,Help", "2,Help", 1), []sources.Prior{priorOf("h/a-csv/billing/ticket-1", "a.csv", first[0])})
	if len(got) != 1 || got[0].Continues == "" || got[0].Occurrences != 2 {
		t.Errorf("subject-only ticket not continued: %+v", got)
	}
}
