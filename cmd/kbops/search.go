package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/apikeys"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
)

func searchCommand() *cli.Command {
	return &cli.Command{
		Name:      "search",
		Usage:     "keyword search over the published knowledge, as an agent front-end would",
		ArgsUsage: "QUERY",
		Description: `Runs a BM25 search over titles, bodies and the cross-language glossary terms,
and with the query's Chinese and Japanese words only over the Chinese and
Japanese text fields, and prints hits with provenance and the passage that
matched.
It is the reference for how a front-end should query (docs/weaviate-schema.md).

With --as-key (or KBOPS_API_KEY) the search runs at most at the key's access
level, as the MCP server answers that key; --access can only narrow it.

Example:
   kbops search --lang es --access customer "puesta a tierra"
   kbops search --as-key "$SUPPORT_BOT_KEY" "earth fault"`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "lang", Usage: "only units in this language (zh matches zh-CN and zh-TW)"},
			&cli.StringFlag{Name: "product", Usage: "only units of this product"},
			&cli.StringFlag{Name: "access", Usage: "caller's access level: public, customer, partner or internal"},
			&cli.StringFlag{Name: "layer", Usage: "only core, scenario or context units"},
			&cli.IntFlag{Name: "limit", Value: 5, Usage: "number of hits"},
			&cli.StringFlag{Name: "as-key", Usage: "answer as the front-end holding this API `KEY` would be answered: at most the key's access level (docs/frontends.md)", EnvVars: []string{config.EnvAPIKey}},
			&cli.BoolFlag{Name: "json", Usage: "print hits as JSON"},
			&cli.StringFlag{Name: "market", Usage: "answer for this market: its units and the generic ones, its adaptations first"},
			&cli.StringFlag{Name: "industry", Usage: "only units for this industry and the generic ones"},
			&cli.StringFlag{Name: "audience", Usage: "only units for this audience and the generic ones"},
			&cli.BoolFlag{Name: "include-superseded", Usage: "also show units that lost a conflict, marked with the unit that wins"},
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
				IncludeSuperseded: c.Bool("include-superseded"),
				Market:            c.String("market"), Industry: c.String("industry"), Audience: c.String("audience"),
			}
			if q.Access != "" && !knowledge.Access(q.Access).Valid() {
				return usageErr("--access %q is not one of public, customer, partner, internal", q.Access)
			}
			if key := c.String("as-key"); key != "" {
				caller, err := resolveKey(ws, key)
				if err != nil {
					return err
				}
				q.Access = string(apikeys.Clamp(q.Access, caller.Access))
			}
			if q.Layer != "" && !slices.Contains(knowledge.Layers, knowledge.Layer(q.Layer)) {
				return usageErr("--layer %q is not one of core, scenario, context", q.Layer)
			}
			return runSearch(c.Context, ws, q, c.Bool("json"), c.App.Writer)
		},
	}
}

func runSearch(ctx context.Context, ws *workspace.Workspace, q publish.Query, asJSON bool, out io.Writer) error {
	hits, err := release.Search(ctx, ws, q)
	if err != nil {
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
		if h.Link != "" {
			fmt.Fprintf(out, "\n   link: %s", h.Link)
		}
		if h.Adapts != "" {
			fmt.Fprintf(out, "\n   adapts: %s for %s", h.Adapts, strings.Join(h.Markets, ", "))
		}
		if h.SupersededBy != "" {
			fmt.Fprintf(out, "\n   superseded by: %s", h.SupersededBy)
		}
		if h.SiblingOf != "" {
			fmt.Fprintf(out, "\n   through its translation: %s", h.SiblingOf)
		}
		if len(h.Duplicates) > 0 {
			fmt.Fprintf(out, "\n   the same text is also in: %s", strings.Join(h.Duplicates, ", "))
		}
		fmt.Fprintf(out, "\n   %s\n", h.Snippet)
	}
	return nil
}

// resolveKey returns the caller of an API key, with the workspace's keys;
// an unknown key is a usage error, never a public search.
func resolveKey(ws *workspace.Workspace, key string) (apikeys.Caller, error) {
	keys, err := apikeys.Load(ws.Root, ws.Config.Frontends)
	if err != nil {
		return apikeys.Caller{}, &exitError{exitUsage, err}
	}
	caller, err := keys.Resolve(key)
	if err != nil {
		return apikeys.Caller{}, &exitError{exitUsage, err}
	}
	return caller, nil
}
