package knowledge

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sample() Unit {
	u := Unit{
		ID:       MakeID("demo-notes", "en/inverter-basics.md", []string{"Installation", "Grounding"}),
		Title:    "Grounding",
		Language: "en",
		Layer:    LayerCore,
		Kind:     KindNote,
		Product:  "vf-200",
		Markets:  []string{"EU", "MX"},
		Source: Source{
			Name: "demo-notes", Kind: "notes", URI: "file:///notes/en/inverter-basics.md",
			Document: "en/inverter-basics.md", Locator: "Installation > Grounding",
			FetchedAt: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), Hash: HashBytes([]byte("doc")),
		},
		Tier:      TierInternal,
		Effective: DateOf(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
		Owner:     "alice@example.com",
		Access:    AccessCustomer,
		Status:    StatusActive,
		Body:      "Connect PE to the ground bar.\r\nUse 4 mm² wire.  \n",
	}
	u, _ = Revise(nil, u)
	return u
}

func TestGoldenUnitFile(t *testing.T) {
	got, err := Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "unit.golden.md")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./knowledge -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("unit file differs from %s:\n%s", golden, got)
	}
}

func TestRoundTripIsByteIdentical(t *testing.T) {
	for _, body := range []string{
		"plain\n", "", "# not a heading in front matter\n\n---\n\nrule above\n",
		"中文正文。第二句！\n", "tabs\tand \"quotes\" and: colons\n",
	} {
		u := sample()
		u.Body = body
		u.Title = "Title: with colon # and hash"
		u, _ = Revise(nil, u)
		b1, err := Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse("x.md", b1)
		if err != nil {
			t.Fatalf("parse %q: %v", body, err)
		}
		b2, err := Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(b1) != string(b2) {
			t.Errorf("round trip changed bytes:\n%s\n---vs---\n%s", b1, b2)
		}
	}
}

func TestCRLFFileParsesToSameUnit(t *testing.T) {
	b, _ := Marshal(sample())
	crlf := strings.ReplaceAll(string(b), "\n", "\r\n")
	u, err := Parse("crlf.md", []byte(crlf))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := Marshal(u)
	if string(b2) != string(b) {
		t.Error("CRLF file does not normalise to the canonical bytes")
	}
}

func TestVersionRules(t *testing.T) {
	v1 := sample()
	if v1.Version != 1 {
		t.Fatalf("new unit version = %d, want 1", v1.Version)
	}
	same := v1
	same.Source.FetchedAt = v1.Source.FetchedAt.Add(48 * time.Hour)
	same.Source.Hash = HashBytes([]byte("other doc bytes"))
	got, ch := Revise(&v1, same)
	if ch != Unchanged || got.Version != 1 || !got.Source.FetchedAt.Equal(v1.Source.FetchedAt) {
		t.Errorf("unchanged content: change=%v version=%d fetched=%v; want unchanged, 1, original time", ch, got.Version, got.Source.FetchedAt)
	}
	edited := v1
	edited.Body = "Connect PE to the ground bar.\nUse 6 mm² wire.\n"
	v2, ch := Revise(&v1, edited)
	if ch != Changed || v2.Version != 2 {
		t.Errorf("edited body: change=%v version=%d; want changed, 2", ch, v2.Version)
	}
	v3, ch := Revise(&v2, edited)
	if ch != Unchanged || v3.Version != 2 {
		t.Errorf("re-revise same edit: change=%v version=%d; want unchanged, 2", ch, v3.Version)
	}
	// Who may approve, and what a customer is linked to, are reviewed
	// like the text: each of these fields is a new version.
	for name, edit := range map[string]func(*Unit){
		"owner":          func(u *Unit) { u.Owner = "bob@example.com" },
		"source.uri":     func(u *Unit) { u.Source.URI = "https://evil.example/manual.pdf" },
		"source.locator": func(u *Unit) { u.Source.Locator = "p. 99" },
		"source.name":    func(u *Unit) { u.Source.Name = "other" },
		"concepts":       func(u *Unit) { u.Concepts = append(slices.Clone(u.Concepts), "c-forged") },
	} {
		next := v2
		edit(&next)
		v4, ch := Revise(&v2, next)
		if ch != Changed || v4.Version != 3 || v4.ContentHash == v2.ContentHash {
			t.Errorf("%s change: change=%v version=%d; want changed, 3, new hash", name, ch, v4.Version)
		}
	}
	moved := v2
	moved.Source.URI = "file:///elsewhere/notes/a.md"
	if got, ch := Revise(&v2, moved); ch != Touched || got.Version != 2 || got.Source.URI != moved.Source.URI {
		t.Errorf("workspace moved to another folder: change=%v version=%d; want touched, 2, the new path", ch, got.Version)
	}
	occ := v2
	occ.Occurrences = 7
	if v4, ch := Revise(&v2, occ); ch != Touched || v4.Version != 2 || v4.Occurrences != 7 {
		t.Errorf("occurrence count: change=%v version=%d occurrences=%d; want touched, 2, 7", ch, v4.Version, v4.Occurrences)
	}
	seen := v2
	seen.SeenIn, seen.Occurrences = map[string]int{"night-1.csv": 1, "night-2.csv": 3}, 4
	seen.FirstSeen, seen.LastSeen = DateOf(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)), DateOf(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	v5, ch := Revise(&v2, seen)
	if ch != Touched || v5.Version != 2 || v5.SeenIn["night-2.csv"] != 3 || v5.LastSeen != seen.LastSeen {
		t.Errorf("counts per export: change=%v version=%d seen_in=%v; want touched, 2", ch, v5.Version, v5.SeenIn)
	}
	data, err := Marshal(v5)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "first_seen: \"2026-11-30\"\nlast_seen: \"2026-12-01\"\nseen_in:\n  night-1.csv: 1\n  night-2.csv: 3\n") {
		t.Errorf("seen fields not written in order:\n%s", data)
	}
	if back, err := Parse("units/x.md", data); err != nil || back.SeenIn["night-1.csv"] != 1 || back.FirstSeen != v5.FirstSeen {
		t.Errorf("round trip: %v %+v", err, back)
	}
	if again, ch := Revise(&v5, seen); ch != Unchanged || again.Version != 2 {
		t.Errorf("same counts again: %v", ch)
	}
	r, ch := Retire(v2)
	if ch != Retired || r.Version != 3 || r.Status != StatusRetired || r.ContentHash == v2.ContentHash {
		t.Errorf("retire: change=%v version=%d status=%s", ch, r.Version, r.Status)
	}
	if _, ch := Retire(r); ch != Unchanged {
		t.Errorf("retire twice: %v", ch)
	}
}

func TestParseErrorsNameFileLineAndField(t *testing.T) {
	good, _ := Marshal(sample())
	cases := []struct {
		name, edit, want string
	}{
		{"missing owner", "owner: alice@example.com\n", `bad.md:1: field "owner": missing`},
		{"bad tier", "tier: internal\n", `field "tier": "gold" is not one of`},
		{"unknown field", "status: active\n", `field "colour": unknown field`},
		{"hand edit", "Use 4 mm² wire.", `field "content_hash": does not match`},
		{"bad yaml", "title: Grounding\n", "bad.md:"},
	}
	repl := map[string]string{
		"missing owner": "",
		"bad tier":      "tier: gold\n",
		"unknown field": "status: active\ncolour: blue\n",
		"hand edit":     "Use 5 mm² wire.",
		"bad yaml":      "title: [Grounding\n",
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Replace(string(good), c.edit, repl[c.name], 1)
			_, err := Parse("bad.md", []byte(in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
	if _, err := Parse("nofm.md", []byte("just text\n")); err == nil || !strings.Contains(err.Error(), "nofm.md:1") {
		t.Errorf("no front matter: %v", err)
	}
}

func TestIDsAreStableAndReadable(t *testing.T) {
	cases := map[string]string{
		MakeID("Demo Notes", "en/Inverter Basics.md", []string{"Installation", "Grounding & PE"}): "demo-notes/en/inverter-basics/installation.grounding-pe",
		MakeID("n", "zh/安装.md", []string{"接线", "接地"}):                                             "n/zh/安装/接线.接地",
		MakeID("n", "a.md", nil): "n/a/index",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("id = %q, want %q", got, want)
		}
		if err := ValidateID(got); err != nil {
			t.Error(err)
		}
	}
	long := strings.Repeat("very long heading ", 10)
	a := MakeID("n", "a.md", []string{long + "one"})
	b := MakeID("n", "a.md", []string{long + "two"})
	if a == b || len(a) > 80 {
		t.Errorf("long headings: %q vs %q", a, b)
	}
	seen := map[string]int{}
	if Disambiguate(seen, "x") != "x" || Disambiguate(seen, "x") != "x-2" {
		t.Error("disambiguation")
	}
	if id, ok := IDFromPath(FilePath("n/a/index")); !ok || id != "n/a/index" {
		t.Error("FilePath/IDFromPath do not round-trip")
	}
	for _, bad := range []string{"", "a//b", "../x", "a/b c"} {
		if ValidateID(bad) == nil {
			t.Errorf("ValidateID(%q) accepted", bad)
		}
	}
}

// Where the effective date came from decides conflicts, so it is content:
// setting it is a new version, an unknown value is refused, and a file
// without it keeps its hash (TestGoldenUnitFile).
func TestEffectiveSourceIsReviewedContent(t *testing.T) {
	u := sample()
	v := u
	v.EffectiveSource = EffectiveFromIngest
	next, ch := Revise(&u, v)
	if ch != Changed || next.Version != 2 || next.Dated() {
		t.Fatalf("setting effective_source: %v v%d dated=%v", ch, next.Version, next.Dated())
	}
	b, err := Marshal(next)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("u.md", b)
	if err != nil || back.EffectiveSource != EffectiveFromIngest || !strings.Contains(string(b), "effective_source: ingest\n") {
		t.Fatalf("round trip: %v %q\n%s", err, back.EffectiveSource, b)
	}
	bad := strings.Replace(string(b), "effective_source: ingest", "effective_source: guess", 1)
	if _, err := Parse("u.md", []byte(bad)); err == nil || !strings.Contains(err.Error(), "effective_source") {
		t.Errorf("unknown effective_source: %v", err)
	}
	if !u.Dated() {
		t.Error("a unit from before effective_source counts as undated")
	}
}

// BenchmarkParse reads one unit file; every load of a base parses each
// unit file the parse cache does not hold (publish of main, the first
// approval stage, a verify on a fresh clone).
func BenchmarkParse(b *testing.B) {
	data, err := Marshal(sample())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := Parse("unit.md", data); err != nil {
			b.Fatal(err)
		}
	}
}
