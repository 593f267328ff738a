package main

import (
	"encoding/json"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/eval"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:      "eval",
		Usage:     "measure retrieval with a query file: hit@1, hit@5, MRR and nDCG@10 per language pair",
		ArgsUsage: "QUERYFILE",
		Description: `Runs every question of QUERYFILE through the same search as ` + "`kbops search`" + `
(with the question's target language as --lang, or none) and scores where
the expected units rank: per language pair (question → answer language),
for same-language, cross-language and cross-language-without-filter
questions, and overall. Expected answers are unit ids, or a document and
heading resolved against the approved units on main.

QUERYFILE is YAML, or JSON Lines when it ends in .jsonl (see
docs/retrieval.md). Exits 3 when a figure is below the file's thresholds.

Example:
   kbops eval --json pipeline/eval/testdata/corpus-queries.yaml`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("eval needs one query file, e.g. kbops eval queries.yaml")
			}
			f, err := eval.Load(c.Args().First())
			if err != nil {
				return usageErr("%v", err)
			}
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			rep, err := eval.Run(c.Context, ws, f)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				err = enc.Encode(rep)
			} else {
				err = rep.WriteText(c.App.Writer)
			}
			if err != nil {
				return err
			}
			if len(rep.Failures) > 0 {
				return attention("retrieval below the thresholds of %s: %s", f.Path, strings.Join(rep.Failures, "; "))
			}
			return nil
		},
	}
}
