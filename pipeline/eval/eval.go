package eval

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
)

// Summary group names.
const (
	GroupSame          = "same language"
	GroupCross         = "cross-language"
	GroupCrossNoFilter = "cross-language (no filter)"
	GroupOverall       = "overall"
)

// Report is the result of a run.
type Report struct {
	File string `json:"file"`
	// Search says how the questions were searched: hybrid (and with
	// which vectors) or keyword-only (publish.Target.SearchMode).
	Search string `json:"search"`
	// Pairs are the figures per language pair, by name; Groups those of
	// the summary groups that have queries, in the order of the constants.
	Pairs   []Group       `json:"pairs"`
	Groups  []Group       `json:"groups"`
	Queries []QueryResult `json:"queries"`
	// Failures lists each threshold missed, e.g. "cross-language hit@5
	// 0.41 < 0.45"; empty when all are met.
	Failures []string `json:"failures"`
}

// Group is the mean figures of a set of queries.
type Group struct {
	Name    string `json:"name"`
	Queries int    `json:"queries"`
	Metrics
}

// QueryResult is how one question fared.
type QueryResult struct {
	Query string `json:"query"`
	Pair  string `json:"pair"`
	Line  int    `json:"line"`
	// Rank is the place of the first answering unit among the hits
	// (1-based), 0 when none came within the limit.
	Rank int `json:"rank"`
	Metrics
	// Expected are the answering units; Top the first five hits.
	Expected []string `json:"expected"`
	Top      []string `json:"top"`
}

// Run resolves the file's expectations against the approved units on
// main, asks release.Search each question (with the question's target
// language as the filter, and no access filter) and scores the hits.
func Run(ctx context.Context, ws *workspace.Workspace, f File) (Report, error) {
	main, err := release.LoadMain(ctx, ws)
	if err != nil {
		return Report{}, err
	}
	// One server for all questions: release.Search would otherwise start
	// and stop the embedded one for each.
	_, done, err := release.Connect(ctx, ws, nil)
	if err != nil {
		return Report{}, err
	}
	defer done()
	t, tdone, err := release.OpenTarget(ctx, ws, nil)
	if err != nil {
		return Report{}, err
	}
	mode, err := t.SearchMode(ctx)
	tdone()
	if err != nil {
		return Report{}, err
	}
	limit := max(f.Limit, 10)
	rep := Report{File: f.Path, Search: mode, Pairs: []Group{}, Groups: []Group{}, Queries: []QueryResult{}, Failures: []string{}}
	members := map[string][]Metrics{}
	for _, q := range f.Queries {
		rel, err := resolve(q, main.Approved)
		if err != nil {
			return Report{}, fmt.Errorf("%s:%d: %w", f.Path, q.Line, err)
		}
		hits, err := release.Search(ctx, ws, publish.Query{Text: q.Query, Language: q.Target, Limit: limit})
		if err != nil {
			return Report{}, fmt.Errorf("%s:%d: search %q: %w", f.Path, q.Line, q.Query, err)
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.UnitID
			// A hit standing for its near-duplicates answers for them:
			// the agent read the same text.
			for _, d := range h.Duplicates {
				if rel[d] && !rel[h.UnitID] {
					ids[i] = d
				}
			}
		}
		r := QueryResult{Query: q.Query, Pair: q.pair(), Line: q.Line, Expected: sortedKeys(rel), Top: ids[:min(5, len(ids))]}
		r.Rank, r.Metrics = Score(ids, rel)
		rep.Queries = append(rep.Queries, r)
		for _, g := range groupsOf(q) {
			members[g] = append(members[g], r.Metrics)
		}
	}
	summary := map[string]bool{GroupSame: true, GroupCross: true, GroupCrossNoFilter: true, GroupOverall: true}
	var pairs []string
	for name := range members {
		if !summary[name] {
			pairs = append(pairs, name)
		}
	}
	sort.Strings(pairs)
	for _, name := range pairs {
		rep.Pairs = append(rep.Pairs, mean(name, members[name]))
	}
	for _, name := range []string{GroupSame, GroupCross, GroupCrossNoFilter, GroupOverall} {
		if len(members[name]) > 0 {
			rep.Groups = append(rep.Groups, mean(name, members[name]))
		}
	}
	rep.Failures = failures(f.Thresholds, append(append([]Group{}, rep.Pairs...), rep.Groups...))
	return rep, nil
}

// groupsOf names the groups a query counts in: its pair, its summary
// group and the overall one.
func groupsOf(q Query) []string {
	g := []string{q.pair(), GroupOverall}
	switch {
	case sameLanguage(q.Lang, q.Answer):
		g = append(g, GroupSame)
	case q.Target == "":
		g = append(g, GroupCrossNoFilter)
	default:
		g = append(g, GroupCross)
	}
	return g
}

// sameLanguage compares primary language subtags: zh is zh-CN.
func sameLanguage(a, b string) bool {
	p := func(s string) string { s, _, _ = strings.Cut(strings.ToLower(s), "-"); return s }
	return p(a) == p(b)
}

// resolve returns the ids of the approved units that answer q.
func resolve(q Query, units []*knowledge.Unit) (map[string]bool, error) {
	rel := map[string]bool{}
	for _, e := range q.Expect {
		n := 0
		for _, u := range units {
			if e.Unit != "" && u.ID == e.Unit ||
				e.Unit == "" && sameDocument(e.Document, u.Source) && normal(u.Title) == normal(e.Heading) {
				rel[u.ID] = true
				n++
			}
		}
		if n == 0 {
			what := "unit " + e.Unit
			if e.Unit == "" {
				what = fmt.Sprintf("heading %q of %s", e.Heading, e.Document)
			}
			return nil, fmt.Errorf("query %q: no approved unit on main is %s (query file out of date, or not published?)", q.Query, what)
		}
	}
	return rel, nil
}

// sameDocument tells whether doc names the unit's document: its name as
// the source gave it, or the last element of its URI.
func sameDocument(doc string, s knowledge.Source) bool {
	if doc == s.Document {
		return true
	}
	base := path.Base(s.URI)
	if un, err := url.PathUnescape(base); err == nil {
		base = un
	}
	return doc == base
}

func normal(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Score returns the rank of the first relevant id (1-based, 0 if none)
// and the figures of one ranked list with binary relevance: hit@1,
// hit@5, reciprocal rank and nDCG@10, whose ideal list puts all relevant
// units (at most ten) first.
func Score(ranked []string, relevant map[string]bool) (int, Metrics) {
	var m Metrics
	rank := 0
	dcg := 0.0
	for i, id := range ranked {
		if !relevant[id] {
			continue
		}
		if rank == 0 {
			rank = i + 1
		}
		if i < 10 {
			dcg += 1 / math.Log2(float64(i)+2)
		}
	}
	ideal := 0.0
	for i := 0; i < min(len(relevant), 10); i++ {
		ideal += 1 / math.Log2(float64(i)+2)
	}
	if rank == 1 {
		m.Hit1 = 1
	}
	if rank >= 1 && rank <= 5 {
		m.Hit5 = 1
	}
	if rank > 0 {
		m.MRR = 1 / float64(rank)
	}
	if ideal > 0 {
		m.NDCG10 = dcg / ideal
	}
	return rank, m
}

func mean(name string, ms []Metrics) Group {
	g := Group{Name: name, Queries: len(ms)}
	for _, m := range ms {
		g.Hit1 += m.Hit1
		g.Hit5 += m.Hit5
		g.MRR += m.MRR
		g.NDCG10 += m.NDCG10
	}
	n := float64(len(ms))
	g.Hit1, g.Hit5, g.MRR, g.NDCG10 = round(g.Hit1/n), round(g.Hit5/n), round(g.MRR/n), round(g.NDCG10/n)
	return g
}

// round keeps three decimals: what is printed is what is compared with
// the thresholds.
func round(v float64) float64 { return math.Round(v*1000) / 1000 }

func failures(th map[string]Metrics, groups []Group) []string {
	out := []string{}
	for _, g := range groups {
		t, ok := th[g.Name]
		if !ok {
			continue
		}
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"hit@1", g.Hit1, t.Hit1}, {"hit@5", g.Hit5, t.Hit5}, {"mrr", g.MRR, t.MRR}, {"ndcg@10", g.NDCG10, t.NDCG10}} {
			if c.got < c.want {
				out = append(out, fmt.Sprintf("%s %s %.3f < %.3f", g.Name, c.name, c.got, c.want))
			}
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
