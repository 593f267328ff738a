package eval

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScore(t *testing.T) {
	rel := map[string]bool{"a": true, "b": true}
	rank, m := Score([]string{"x", "a", "y", "z", "w", "b"}, rel)
	if rank != 2 || m.Hit1 != 0 || m.Hit5 != 1 || m.MRR != 0.5 {
		t.Errorf("answer second: rank %d, %+v", rank, m)
	}
	want := (1/math.Log2(3) + 1/math.Log2(7)) / (1 + 1/math.Log2(3))
	if math.Abs(m.NDCG10-want) > 1e-9 {
		t.Errorf("nDCG@10 = %v, want %v", m.NDCG10, want)
	}
	if rank, m := Score([]string{"x", "y", "z", "w", "v", "a"}, rel); rank != 6 || m.Hit5 != 0 || m.MRR != 1.0/6 {
		t.Errorf("answer sixth: rank %d, %+v", rank, m)
	}
	if rank, m := Score(nil, rel); rank != 0 || m != (Metrics{}) {
		t.Errorf("no hits: rank %d, %+v", rank, m)
	}
	if _, m := Score([]string{"a", "b"}, rel); m.NDCG10 != 1 || m.Hit1 != 1 {
		t.Errorf("ideal ranking: %+v", m)
	}
}

func TestLoadYAMLAndJSONL(t *testing.T) {
	y := write(t, "q.yaml", `thresholds: {"es→en": {hit@5: 0.5}, overall: {mrr: 0.2}}
queries:
  - {query: "batería", lang: es, target: en, expect: [{document: m_en.pdf, heading: "4.1 Charging"}]}
  - query: "Akku"
    lang: de
    answer: en
    expect: [{unit: s/m_en/battery}]
`)
	f, err := Load(y)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Queries) != 2 || f.Queries[0].Line != 3 || f.Queries[1].Line != 4 || f.Limit != 10 {
		t.Fatalf("loaded %+v", f)
	}
	if f.Queries[0].pair() != "es→en" || f.Queries[1].pair() != "de→en (no filter)" {
		t.Errorf("pairs %q, %q", f.Queries[0].pair(), f.Queries[1].pair())
	}
	if f.Thresholds["es→en"].Hit5 != 0.5 || f.Thresholds[GroupOverall].MRR != 0.2 {
		t.Errorf("thresholds %+v", f.Thresholds)
	}

	j := write(t, "q.jsonl", `{"thresholds": {"same language": {"hit@5": 0.9}}}

{"query": "grounding", "lang": "en", "target": "en", "expect": [{"unit": "n/g"}]}
`)
	f, err = Load(j)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Queries) != 1 || f.Queries[0].Line != 3 || f.Thresholds[GroupSame].Hit5 != 0.9 {
		t.Errorf("jsonl loaded %+v", f)
	}
}

// A query file with a mistake is refused with the file and line, before
// any search runs: a typo must not pass as a measured figure.
func TestLoadRefusesBadFiles(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"q.yaml", "queries:\n  - {query: x, lang: en, target: en}\n", "q.yaml:2: query \"x\" expects nothing"},
		{"q.yaml", "queries:\n  - {query: x, lang: en, expect: [{unit: u}]}\n", "q.yaml:2: query \"x\" has neither target nor answer"},
		{"q.yaml", "queries:\n  - {query: x, lang: en, target: en, expect: [{document: d.pdf}]}\n", "needs unit, or document and heading"},
		{"q.yaml", "queries:\n  - {query: x, lang: en, target: en, expected: [{unit: u}]}\n", "field expected not found"},
		{"q.yaml", "thresholds: {\"en→fr\": {hit@5: 0.5}}\nqueries:\n  - {query: x, lang: en, target: en, expect: [{unit: u}]}\n", "threshold for \"en→fr\": no such group"},
		{"q.yaml", "thresholds: {overall: {hit@5: 95}}\nqueries:\n  - {query: x, lang: en, target: en, expect: [{unit: u}]}\n", "is not between 0 and 1"},
		{"q.yaml", "thresholds: {}\n", "no queries"},
		{"q.jsonl", "{\"query\": \"x\", \"lang\": \"en\", \"target\": \"en\", \"expect\": [{\"unit\": \"u\"}]}\n{\"query\": \"y\", \"lang\": \"en\", \"target\": \"en\", \"expect\": [{\"unit\": \"u\"}], \"bogus\": 1}\n", "q.jsonl:2:"},
	} {
		_, err := Load(write(t, c.name, c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.body, err, c.want)
		}
	}
}

func TestFailuresNameGroupAndFigure(t *testing.T) {
	got := failures(map[string]Metrics{"es→en": {Hit5: 0.5}, GroupOverall: {MRR: 0.1}},
		[]Group{{Name: "es→en", Queries: 4, Metrics: Metrics{Hit5: 0.25}}, {Name: GroupOverall, Metrics: Metrics{MRR: 0.3}}})
	if len(got) != 1 || got[0] != "es→en hit@5 0.250 < 0.500" {
		t.Errorf("failures %q", got)
	}
}
