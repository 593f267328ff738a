package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/health"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/workspace"
)

type healthOptions struct {
	Filter health.Filter
	JSON   bool
	HTML   string
}

func healthCommand() *cli.Command {
	return &cli.Command{
		Name:  "health",
		Usage: "show the state of the knowledge per product and owner",
		Description: `Per product and per owner: active units on main, % stale (past the tier's
review interval or sent back), median days since review, glossary coverage
(units naming concepts / all), pending reviews and how long they wait, open
conflicts, feedback score, scenario units and their ticket occurrences,
and from the front-end's retrieval log (kbops feedback import --usage):
retrievals and effectiveness (mean of (rating-1)/4, 0-1) over the last
--window days, and units retrieved often but rated badly (serve.yaml
feedback: min_retrievals, max_effectiveness), which the feedback track
sends back.
--html writes a self-contained page with charts, to mail or archive.

Example:
   kbops health --product vf-200
   kbops health --json > health.json
   kbops health --html health.html`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "product", Usage: "only this product's units"},
			&cli.StringFlag{Name: "owner", Usage: "only this owner's units"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&cli.StringFlag{Name: "html", Usage: "also write the report as an HTML page to `FILE`"},
			&cli.IntFlag{Name: "window", Usage: "usage window in `DAYS` (default: feedback.window_days in serve.yaml, else 30)"},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			cfg, err := serve.LoadConfig(ws.Root)
			if err != nil {
				return &exitError{exitUsage, err}
			}
			if c.Int("window") < 0 {
				return usageErr("--window: want a number of days")
			}
			return runHealth(c.Context, ws, healthOptions{Filter: health.Filter{Product: c.String("product"), Owner: c.String("owner"),
				WindowDays: c.Int("window"), Thresholds: &cfg.Feedback},
				JSON: c.Bool("json"), HTML: c.String("html")}, c.App.Writer)
		},
	}
}

func runHealth(ctx context.Context, ws *workspace.Workspace, o healthOptions, out io.Writer) error {
	rep, err := health.Compute(ctx, ws, o.Filter, timeNow())
	if err != nil {
		return err
	}
	if o.HTML != "" {
		f, err := os.Create(o.HTML)
		if err != nil {
			return usageErr("--html: %v", err)
		}
		werr := health.WriteHTML(f, rep)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("write %s: %w", o.HTML, werr)
		}
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintln(out, rep.Summary())
	for _, part := range []struct {
		title string
		rows  []health.Row
	}{{"product", rep.Products}, {"owner", rep.Owners}} {
		fmt.Fprintln(out)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tunits\tstale\tdue\tage(d)\tglossary\tpending\toldest(d)\tconflicts\tfeedback\tscenarios\toccurrences\tretrievals(%dd)\teffectiveness\tbadly rated\t\n", part.title, rep.UsageWindowDays)
		for _, r := range part.rows {
			fmt.Fprintf(tw, "%s\t%d\t%.0f%%\t%d\t%s\t%.0f%%\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t%s\t%d\t\n", r.Key, r.Units, r.StalePct, r.Due, f1(r.MedianAgeDays),
				r.GlossaryCoverage, r.Pending, f1(r.PendingOldestDays), r.Conflicts, f1(r.FeedbackScore), r.ScenarioUnits, r.Occurrences,
				r.Retrievals, f2(r.Effectiveness), r.RetrievedBadly)
		}
		tw.Flush()
	}
	for _, m := range rep.Markets {
		fmt.Fprintf(out, "market %s: %d core units, %d adapted, %d without the adaptation context.yaml requires\n", m.Market, m.Core, m.Adapted, len(m.Missing))
		for i, id := range m.Missing {
			if i == 10 {
				fmt.Fprintf(out, "  … and %d more (--json lists them all)\n", len(m.Missing)-10)
				break
			}
			fmt.Fprintf(out, "  missing: %s\n", id)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(out, "note:", n)
	}
	if o.HTML != "" {
		fmt.Fprintln(out, "wrote", o.HTML)
	}
	return nil
}

func f2(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f", *p)
}

func f1(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f", *p)
}
