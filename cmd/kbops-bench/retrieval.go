package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/eval"
	"github.com/kbops/kbops/pipeline/eval/evaltest"
)

// retrieval measures the corpus query set when -pdfs is the shared
// corpus's manuals folder: its manuals go into a workspace of their own
// (evaltest) published to the bench's server, and `kbops eval --json`
// gives the figures per language pair, printed after the step table. It
// returns 3 when a figure is below the query file's thresholds, like
// `kbops eval`.
func retrieval(ctx context.Context, s settings, dir, bin string, env []string, srv *embedded.Server, stdout io.Writer) (int, error) {
	if _, err := os.Stat(filepath.Join(s.pdfs, "teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf")); s.pdfs == "" || err != nil {
		fmt.Fprintf(stdout, "\nretrieval: not measured (-pdfs %q is not ../shared/corpus/manuals, which the query set is about)\n", s.pdfs)
		return 0, nil
	}
	manuals, err := filepath.Abs(s.pdfs)
	if err != nil {
		return 1, err
	}
	ws := filepath.Join(dir, "retrieval")
	if err := evaltest.WriteWorkspace(ws, manuals, "http://"+srv.Host(), srv.GRPCHost()); err != nil {
		return 1, err
	}
	if _, err := runChild(ctx, env, bin, "init", ws); err != nil {
		return 1, err
	}
	c := child{bin: bin, ws: ws, env: env}
	steps := [][]string{{"ingest"}}
	for i, stage := range evaltest.Stages {
		steps = append(steps, append([]string{"review", "approve", "--stage", stage, "--as", evaltest.Reviewers[i], "--all-mine"}, evaltest.Waivers...))
	}
	steps = append(steps, []string{"review", "merge", "--as", evaltest.Reviewers[0]}, []string{"publish"})
	for _, args := range steps {
		if _, err := c.kb(ctx, args...); err != nil {
			return 1, err
		}
	}
	res, err := c.kb(ctx, "eval", "--json", evaltest.QueryFile())
	var rep eval.Report
	if jerr := json.Unmarshal(lastJSON(res.out), &rep); jerr != nil {
		if err == nil {
			err = jerr
		}
		return 1, fmt.Errorf("kbops eval: %w", err)
	}
	fmt.Fprintf(stdout, "\nretrieval: corpus query set, %d questions, kbops eval %s (peak RSS %d MiB)\n\n", len(rep.Queries), fmtDur(res.dur), res.rssKiB/1024)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "group\tquestions\thit@1\thit@5\tMRR\tnDCG@10")
	for _, g := range append(rep.Groups, rep.Pairs...) {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\n", g.Name, g.Queries, g.Hit1, g.Hit5, g.MRR, g.NDCG10)
	}
	if err := tw.Flush(); err != nil {
		return 1, err
	}
	if len(rep.Failures) > 0 {
		for _, f := range rep.Failures {
			fmt.Fprintln(stdout, "below threshold:", f)
		}
		return 3, nil
	}
	return 0, nil
}
