package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/knowledge/template"
)

func noteCommand() *cli.Command {
	return &cli.Command{
		Name:  "note",
		Usage: "write expert notes in the shape kbops checks",
		Subcommands: []*cli.Command{{
			Name:      "new",
			Usage:     "start a note from a capture template",
			ArgsUsage: "[PATH]",
			Description: `Writes a Markdown note with front matter (title, language, product, owner,
kind, template) and the template's sections headed in the note's language
(en, de, es, fr, pt, zh, ja; others get English headings), for the expert to
fill. Put it in a notes source's folder; ingest reports each required
section left empty, naming the file and the line.

Templates: troubleshooting (background, symptom*, root cause*, steps*,
prevention), spec (applies to*, values*, conditions), faq (question*,
answer*), micro (tip*, when it applies). * required.

Without PATH the file is named after the title in the current folder. An
existing file is never overwritten.

Example:
   kbops note new --template troubleshooting --product vf-200 --lang de \
       --title "E07 nach Regen" notes/de/e07-nach-regen.md`,
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "template", Aliases: []string{"t"}, Required: true, Usage: "`NAME`: " + strings.Join(template.Names(), ", ")},
				&cli.StringFlag{Name: "product", Aliases: []string{"p"}, Required: true, Usage: "product the note is about"},
				&cli.StringFlag{Name: "lang", Aliases: []string{"l"}, Required: true, Usage: "language of the note (BCP 47: de, pt-BR, zh-CN)"},
				&cli.StringFlag{Name: "owner", Usage: "accountable owner's e-mail address (default: the product's owner in OWNERS, else the source's)"},
				&cli.StringFlag{Name: "title", Usage: "the note's title (default: from PATH's file name)"},
			},
			Action: func(c *cli.Context) error {
				if c.Args().Len() > 1 {
					return usageErr("give at most one PATH")
				}
				path, err := template.Create(".", c.Args().First(), c.String("template"), template.Note{
					Title: c.String("title"), Product: c.String("product"), Language: c.String("lang"),
					Owner: c.String("owner"), Date: timeNow(),
				})
				if err != nil {
					return usageErr("%v", err)
				}
				fmt.Fprintf(c.App.Writer, "wrote %s: fill its sections, then let ingest pick it up\n", path)
				return nil
			},
		}},
	}
}
