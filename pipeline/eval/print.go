package eval

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText prints the figures as a table, per pair and then per summary
// group, followed by the questions whose answer was not in the top 5 and
// the thresholds missed.
func (r Report) WriteText(w io.Writer) error {
	if r.Search != "" {
		fmt.Fprintf(w, "search: %s\n\n", r.Search)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "pair\tqueries\thit@1\thit@5\tMRR\tnDCG@10")
	row := func(g Group) {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", g.Name, g.Queries, g.Hit1, g.Hit5, g.MRR, g.NDCG10)
	}
	for _, g := range r.Pairs {
		row(g)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t")
	for _, g := range r.Groups {
		row(g)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var missed []QueryResult
	for _, q := range r.Queries {
		if q.Rank == 0 || q.Rank > 5 {
			missed = append(missed, q)
		}
	}
	if len(missed) > 0 {
		fmt.Fprintf(w, "\nnot in the top 5 (%d):\n", len(missed))
		for _, q := range missed {
			rank := "not in the hits"
			if q.Rank > 0 {
				rank = fmt.Sprintf("rank %d", q.Rank)
			}
			fmt.Fprintf(w, "  %s:%d  %s  %q  (%s)\n", r.File, q.Line, q.Pair, q.Query, rank)
		}
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "below threshold: %s\n", f)
	}
	_, err := fmt.Fprintln(w)
	return err
}
