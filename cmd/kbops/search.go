package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
)

func searchCommand() *cli.Command {
	return &cli.Command{
		Name:      "search",
		Usage:     "keyword search over the published knowledge, as an agent front-end would",
		ArgsUsage: "QUERY",
		Description: `Runs a BM25 search over titles, bodies, the Chinese and Japanese text fields
and the cross-language glossary terms, and prints hits with provenance.
It is the reference for how a front-end should query (docs/weaviate-schema.md).

Example:
   kbops search --lang es --access customer "puesta a tierra"`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "lang", Usage: "only units in this language (zh matches zh-CN and zh-TW)"},
			&cli.StringFlag{Name: "product", Usage: "only units of this product"},
			&cli.StringFlag{Name: "access", Usage: "caller's access level: public, customer, partner or internal"},
			&cli.StringFlag{Name: "layer", Usage: "only core, scenario or context units"},
			&cli.IntFlag{Name: "limit", Value: 5, Usage: "number of hits"},
			&cli.BoolFlag{Name: "json", Usage: "print hits as JSON"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErr("search needs a query, e.g. kbops search \"grounding\"")
			}
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			q := publish.Query{
				Text: strings.Join(c.Args().Slice(), " "), Language: c.String("lang"), Product: c.String("product"),
				Access: c.String("access"), Layer: c.String("layer"), Limit: c.Int("limit"),
			}
			if q.Access != "" && !knowledge.Access(q.Access).Valid() {
				return usageErr("--access %q is not one of public, customer, partner, internal", q.Access)
			}
			if q.Layer != "" && !slices.Contains(knowledge.Layers, knowledge.Layer(q.Layer)) {
				return usageErr("--layer %q is not one of core, scenario, context", q.Layer)
			}
			return runSearch(c.Context, ws, q, c.Bool("json"), c.App.Writer)
		},
	}
}

func runSearch(ctx context.Context, ws *workspace.Workspace, q publish.Query, asJSON bool, out io.Writer) error {
	if m := mainMatcher(ctx, ws); m != nil {
		// Glossary expansion: the query's concepts in every target
		// language, so a Spanish question finds a Chinese unit.
		if exp := m.ExpandQuery(q.Text, q.Language, ws.Config.Languages); len(exp) > 1 {
			q.Expansions = exp[1:]
		}
	}
	targets, done, err := openTargets(ctx, ws, nil)
	if err != nil {
		return err
	}
	defer done()
	var hits []publish.Hit
	for _, t := range targets {
		if t.Access != "" && q.Access != "" && slices.Index(knowledge.AccessLevels, t.Access) > slices.Index(knowledge.AccessLevels, knowledge.Access(q.Access)) {
			continue // a level the caller may not see: not even queried
		}
		hs, serr := publish.Search(ctx, t.Target, q)
		if serr != nil && len(targets) > 1 && strings.Contains(serr.Error(), "nothing published yet") {
			continue // no units at this level
		}
		if serr != nil {
			err = serr
			break
		}
		hits = append(hits, hs...)
	}
	if len(targets) > 1 {
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
		if len(hits) > q.Limit {
			hits = hits[:q.Limit]
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), "Cannot query field") || strings.Contains(err.Error(), "does not exist") {
			return fmt.Errorf("%w; has anything been published? run `kbops publish`", err)
		}
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(hits)
	}
	if len(hits) == 0 {
		fmt.Fprintf(out, "no hits for %q\n", q.Text)
		return nil
	}
	for i, h := range hits {
		fmt.Fprintf(out, "%d. %s  [%s, v%d, %s, %s]\n   id: %s\n   source: %s", i+1, h.Title, h.Language, h.Version, h.Tier, h.Access, h.UnitID, h.Source)
		if h.Locator != "" {
			fmt.Fprintf(out, " (%s)", h.Locator)
		}
		fmt.Fprintf(out, "\n   %s\n", h.Snippet)
	}
	return nil
}
