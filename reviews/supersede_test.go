package reviews

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

func TestStatementsReadRangesAndTableRows(t *testing.T) {
	u := unit("| Angle resolution | 0.1° |\n| --- | --- |\n| Permissible ambient temperature for use | 0 – 40 °C |\n| Transport case | 293 × 228 × 80 mm |\n")
	got := map[string]float64{}
	for _, st := range Statements(&u) {
		got[st.Key()] = st.Value
	}
	want := map[string]float64{"max|ambient for temperature use|°C": 40, "min|ambient for temperature use|°C": 0}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("statement %s: got %v (present %v), want %v; all: %v", k, g, ok, v, got)
		}
	}
	for k := range got {
		if strings.HasSuffix(k, "|m") {
			t.Errorf("a list of dimensions is read as a parameter: %s", k)
		}
	}
	// The note's way of saying it meets the table's.
	n := unit("- Permissible ambient temperature for use: max. 45 °C\n")
	if st := Statements(&n); len(st) != 1 || st[0].Key() != "max|ambient for temperature use|°C" {
		t.Errorf("note statements: %+v", st)
	}
}

// conflictUnit is a unit of product vf-200 with the given id, language,
// tier, effective date and its source.
func conflictUnit(id, lang string, tier knowledge.Tier, eff string, src string, body string) knowledge.Unit {
	u := unit(body)
	d, _ := knowledge.ParseDate(eff)
	u.ID, u.Language, u.Tier, u.Effective, u.EffectiveSource = id, lang, tier, d, src
	u, _ = knowledge.Revise(nil, u)
	return u
}

func supersede(us []knowledge.Unit, pins map[string][]Pin, c ConceptFinder) map[string]Supersession {
	ps := make([]*knowledge.Unit, len(us))
	for i := range us {
		ps[i] = &us[i]
	}
	return Supersede(ps, pins, c)
}

// An undated unit (its effective date is the ingest date) does not win
// over a dated one of its tier, although its date is newer; two undated
// units are a tie and supersede nothing.
func TestSupersedeUndatedLosesToDated(t *testing.T) {
	manual := conflictUnit("manuals/en/vf-200/specs", "en", knowledge.TierOfficial, "2026-03-01", knowledge.EffectiveFromPDF, "- Max. ambient temperature: 40 °C\n")
	bulletin := conflictUnit("bulletins/en/vf-200/heat", "en", knowledge.TierOfficial, "2026-12-02", knowledge.EffectiveFromIngest, "- Max. ambient temperature: 45 °C\n")
	got := supersede([]knowledge.Unit{manual, bulletin}, nil, nil)
	if s, ok := got[bulletin.ID]; !ok || s.By != manual.ID || len(got) != 1 {
		t.Fatalf("supersessions: %+v, want the bulletin superseded by the manual", got)
	}
	other := conflictUnit("bulletins/en/vf-200/cold", "en", knowledge.TierOfficial, "2026-11-02", knowledge.EffectiveFromIngest, "- Max. ambient temperature: 42 °C\n")
	if got := supersede([]knowledge.Unit{bulletin, other}, nil, nil); len(got) != 0 {
		t.Errorf("two undated units: %+v, want a tie", got)
	}
}

func termbaseMatcher(t *testing.T, csv string) *glossary.Matcher {
	t.Helper()
	im, err := glossary.ImportReader(context.Background(), "t.csv", strings.NewReader(csv), glossary.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := glossary.NewMatcher(im.Termbase, glossary.MatcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// withConcepts sets a unit's concepts as the ingestion pass would.
func withConcepts(m *glossary.Matcher, u knowledge.Unit) knowledge.Unit {
	u.Concepts = m.Map(&u).Concepts
	u, _ = knowledge.Revise(nil, u)
	return u
}

// A German manual's value and an English note's are compared through the
// termbase concept both name; a concept too coarse to tell two rows of
// the manual apart compares nothing.
func TestSupersedeAcrossLanguagesThroughConcepts(t *testing.T) {
	de := "| zul. Umgebungstemperatur für die Benutzung | 0 – 40 °C |\n| zul. Umgebungstemperatur für die Lagerung | −20 – 50 °C |\n"
	en := "- Ambient temperature for use: max. 45 °C\n"
	fine := termbaseMatcher(t, "en,de\nambient temperature for use,Umgebungstemperatur für die Benutzung\nambient temperature for storage,Umgebungstemperatur für die Lagerung\n")
	manual := withConcepts(fine, conflictUnit("manuals/de/vf-200/technische-daten", "de", knowledge.TierOfficial, "2026-05-04", knowledge.EffectiveFromPDF, de))
	note := withConcepts(fine, conflictUnit("notes/en/vf-200/field", "en", knowledge.TierInternal, "2026-11-20", knowledge.EffectiveFromFrontMatter, en))
	if len(note.Concepts) == 0 || len(manual.Concepts) < 2 {
		t.Fatalf("concepts: manual %v, note %v", manual.Concepts, note.Concepts)
	}
	if got := supersede([]knowledge.Unit{manual, note}, nil, nil); len(got) != 0 {
		t.Errorf("without a termbase, units in two languages conflict: %+v", got)
	}
	got := supersede([]knowledge.Unit{manual, note}, nil, MatcherConcepts(fine))
	if s := got[note.ID]; s.By != manual.ID {
		t.Errorf("across languages: %+v, want the English note superseded by the German manual", got)
	}

	coarse := termbaseMatcher(t, "en,de\nambient temperature,Umgebungstemperatur\n")
	manual = withConcepts(coarse, conflictUnit("manuals/de/vf-200/technische-daten", "de", knowledge.TierOfficial, "2026-05-04", knowledge.EffectiveFromPDF, de))
	note = withConcepts(coarse, conflictUnit("notes/en/vf-200/field", "en", knowledge.TierInternal, "2026-11-20", knowledge.EffectiveFromFrontMatter, en))
	if got := supersede([]knowledge.Unit{manual, note}, nil, MatcherConcepts(coarse)); len(got) != 0 {
		t.Errorf("a concept naming both rows of the manual decided a conflict: %+v", got)
	}
}

// Two units on the review branch that contradict each other, approved in
// all three stages.
func conflictRepo(t *testing.T) (*kbrepo.Repo, knowledge.Unit, knowledge.Unit, func() time.Time) {
	t.Helper()
	r, manual, note, t0 := conflictPair(t, "")
	n := 0
	step := func() time.Time { n++; return t0.Add(time.Duration(n) * time.Minute) }
	for _, d := range []struct {
		who string
		st  Stage
	}{{"ana@example.com", Technical}, {"lucia@example.com", Expression}, {"carol@example.com", Consistency}} {
		_, problems, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: d.who, Stage: d.st, Verdict: Approved,
			Units: []string{manual.ID, note.ID}, Now: step(), Waive: map[string]string{"conflict": "decided by tier"}})
		if err != nil || len(problems) > 0 {
			t.Fatalf("%s: %v %v", d.st, problems, err)
		}
	}
	return r, manual, note, step
}

// conflictPair commits, on the review branch of a new repository, a manual
// and a note that state different maximum temperatures; the note's body
// ends with extra.
func conflictPair(t *testing.T, extra string) (*kbrepo.Repo, knowledge.Unit, knowledge.Unit, time.Time) {
	t.Helper()
	manual := conflictUnit("manuals/es/vf-200/especificaciones", "es-MX", knowledge.TierOfficial, "2026-03-01", knowledge.EffectiveFromPDF, "- Temperatura ambiente máxima: 40 °C\n")
	note := conflictUnit("notes/es/vf-200/campo", "es-MX", knowledge.TierInternal, "2026-11-20", knowledge.EffectiveFromFrontMatter, "- Temperatura ambiente máxima: 45 °C\n"+extra)
	r, err := kbrepo.Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	changes := []kbrepo.Change{{Path: OwnersFile, Data: []byte(owners)}}
	for _, u := range []knowledge.Unit{manual, note} {
		b, _ := knowledge.Marshal(u)
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: b})
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", t0, changes...)
	return r, manual, note, t0
}

func pinsAt(t *testing.T, r *kbrepo.Repo) (map[string][]Pin, *Snapshot) {
	t.Helper()
	s, _, err := LoadBranch(context.Background(), r, "kbops/review")
	if err != nil {
		t.Fatal(err)
	}
	pins, err := s.Pins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pins, s
}

// A pin counts only from a consistency reviewer, in their own record and
// commit, and only while the losing unit is at the version it binds.
func TestPinsCountOnlyFromTheConsistencyReviewer(t *testing.T) {
	r, manual, note, step := conflictRepo(t)
	if got := supersede([]knowledge.Unit{manual, note}, nil, nil); got[note.ID].By != manual.ID {
		t.Fatalf("before any pin: %+v", got)
	}
	pin := Pin{Over: manual.ID, Version: manual.Version, ContentHash: manual.ContentHash, Reason: "field data"}

	// Ana, a technical reviewer, may not pin.
	if _, problems, _ := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: "ana@example.com", Stage: Consistency, Verdict: Approved, Units: []string{note.ID}, Now: step(), Pin: &Pin{Over: manual.ID, Reason: "mine"}}); len(problems) != 1 || !strings.Contains(problems[0].Error(), "may not decide") {
		t.Errorf("Decide let a technical reviewer pin: %v", problems)
	}
	// Written by hand, in her own commit: the record does not count.
	s, _, _ := LoadBranch(context.Background(), r, "kbops/review")
	own := append(append([]Record(nil), s.Records[note.ID]...), Record{Stage: Consistency, Verdict: Approved, Reviewer: "ana@example.com", Version: note.Version, ContentHash: note.ContentHash, At: step(), Pins: []Pin{pin}})
	b, _ := MarshalApprovals(ApprovalFile{Unit: note.ID, Records: own})
	commitAs(t, r, "kbops/review", "ana@example.com", step(), kbrepo.Change{Path: ApprovalPath(note.ID), Data: b})
	if pins, _ := pinsAt(t, r); len(pins) != 0 {
		t.Errorf("a pin by a technical reviewer counts: %+v", pins)
	}
	// Added to Carol's earlier record, in Mallory's commit: it does not
	// count either (the record is another one, not in Carol's commit).
	forged := append([]Record(nil), s.Records[note.ID]...)
	forged[len(forged)-1].Pins = []Pin{pin}
	b, _ = MarshalApprovals(ApprovalFile{Unit: note.ID, Records: forged})
	commitAs(t, r, "kbops/review", "Mallory <mallory@example.com>", step(), kbrepo.Change{Path: ApprovalPath(note.ID), Data: b})
	pins, snap := pinsAt(t, r)
	if len(pins) != 0 {
		t.Errorf("a pin edited into Carol's record counts: %+v", pins)
	}
	if st := snap.Status(note.ID); st.State == StateApproved {
		t.Errorf("the note with a tampered record is still approved")
	}
	// Put the records back; Carol pins for a reason.
	b, _ = MarshalApprovals(ApprovalFile{Unit: note.ID, Records: s.Records[note.ID]})
	commitAs(t, r, "kbops/review", "carol@example.com", step(), kbrepo.Change{Path: ApprovalPath(note.ID), Data: b})
	if _, problems, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: "carol@example.com", Stage: Consistency, Verdict: Approved, Units: []string{note.ID}, Now: step(), Pin: &Pin{Over: manual.ID, Reason: "field data from 2026"}, Waive: map[string]string{"conflict": "pinned"}}); err != nil || len(problems) > 0 {
		t.Fatalf("Carol's pin: %v %v", problems, err)
	}
	pins, snap = pinsAt(t, r)
	if len(pins[note.ID]) != 1 || pins[note.ID][0].Version != manual.Version || pins[note.ID][0].ContentHash != manual.ContentHash {
		t.Fatalf("Carol's pin: %+v", pins)
	}
	if st := snap.Status(note.ID); st.State != StateApproved {
		t.Fatalf("the note after Carol's pin: %+v", st)
	}
	got := supersede([]knowledge.Unit{manual, note}, pins, nil)
	if s := got[manual.ID]; s.By != note.ID || !s.Pinned || got[note.ID].By != "" {
		t.Errorf("after the pin: %+v, want the manual superseded by the note", got)
	}
	// A new version of the manual re-opens the conflict.
	next := manual
	next.Body = "- Temperatura ambiente máxima: 40 °C\n- Humedad máxima: 90 %\n"
	next, _ = knowledge.Revise(&manual, next)
	if got := supersede([]knowledge.Unit{next, note}, pins, nil); got[note.ID].By != next.ID {
		t.Errorf("a pin over version %d decided version %d: %+v", manual.Version, next.Version, got)
	}
}

// BenchmarkSupersede10000 decides the conflicts among 10,000 approved
// units of one product in two languages (every publish does this), with
// a termbase of 2,500 concepts relating their parameters: each parameter
// is stated by two English and two German units, and half the units lose
// a conflict.
func BenchmarkSupersede10000(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("en,de\n")
	for p := range 2500 {
		fmt.Fprintf(&csv, "ambient temperature for use %s,Umgebungstemperatur für die Benutzung %s\n", word(p), word(p))
	}
	im, err := glossary.ImportReader(context.Background(), "t.csv", strings.NewReader(csv.String()), glossary.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := glossary.NewMatcher(im.Termbase, glossary.MatcherOptions{})
	if err != nil {
		b.Fatal(err)
	}
	units := make([]*knowledge.Unit, 0, 10000)
	for i := range 10000 {
		lang, body := "en", fmt.Sprintf("Field note %d.\n\n- Ambient temperature for use %s: max. %d °C\n- Weight of part %s: %d g\n", i, word(i/4), 40+i%2, word(i), i)
		if i%2 == 1 {
			lang, body = "de", fmt.Sprintf("Hinweis %d.\n\n| Umgebungstemperatur für die Benutzung %s | 0 – %d °C |\n", i, word(i/4), 40+i%4)
		}
		eff := "2026-11-20"
		if lang == "de" {
			eff = "2026-03-01"
		}
		u := conflictUnit(fmt.Sprintf("notes/%s/doc%03d/s-%d", lang, i/100, i), lang, knowledge.TierInternal, eff, knowledge.EffectiveFromFrontMatter, body)
		u = withConcepts(m, u)
		units = append(units, &u)
	}
	concepts := MatcherConcepts(m)
	b.ResetTimer()
	n := 0
	for range b.N {
		n = len(Supersede(units, nil, concepts))
	}
	if n == 0 {
		b.Fatal("no unit superseded: the benchmark measures nothing")
	}
	b.ReportMetric(float64(n), "superseded")
}

// word names parameter i with letters ("aba"): digits would end a phrase.
func word(i int) string {
	return string(rune('a'+i/676%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i%26))
}
