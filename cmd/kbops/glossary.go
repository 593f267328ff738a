package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/glossary/mine"
	"github.com/kbops/kbops/pipeline/workspace"
)

// glossaryCommand is "kbops glossary": import, export, check and stats of
// the workspace's termbase (glossary/termbase.tbx).
func glossaryCommand() *cli.Command {
	dirFlag := &cli.StringFlag{Name: "dir", Usage: "glossary `FOLDER` holding termbase.tbx (default: glossary/ of the workspace, else ./glossary)"}
	return &cli.Command{
		Name:  "glossary",
		Usage: "manage the multilingual termbase and check units against it",
		Description: `The termbase lives in the knowledge repository as glossary/termbase.tbx
(TBX-Basic, one canonical file: an unchanged termbase writes identical bytes).

   kbops glossary import vendor-terms.tbx            merge a termbase into glossary/
   kbops glossary export --format pairs --langs en,de,zh --out deepl/
   kbops glossary suggest                            mine term pairs from translated manuals
   kbops glossary check units/                       terminology findings per unit
   kbops glossary stats                              concepts and terms per language

Flags go before file names. See docs/glossary.md for formats, matching rules
and finding codes.`,
		Subcommands: []*cli.Command{
			{
				Name:      "import",
				Usage:     "merge TBX, CSV or TSV glossaries into the termbase",
				ArgsUsage: "FILE...",
				Description: `Reads TBX-Basic v3 (DCA or DCT), TBX v2 (martif), CSV and TSV in any common
encoding (UTF-8 with or without BOM, UTF-16, GBK, Shift_JIS, Windows-125x...),
and merges the concepts into the termbase. A concept whose id is already there
updates it: the languages the file has replace those of the termbase, the
others stay. CSV rows have no ids: they join the concept they share a term
with, or become new concepts. Prints what was added and changed; a bad row or
entry is reported with its line and the rest is imported.

Example:
   kbops glossary import vendor-terms.tbx translators.csv
   kbops glossary import --source-lang en --target-lang de pairs.csv
   kbops glossary import --id-prefix adobe- --dry-run sdl-export.tbx`,
				Flags: []cli.Flag{
					dirFlag,
					&cli.StringFlag{Name: "encoding", Usage: "character encoding of the files, e.g. gbk, shift_jis, windows-1252 (default: detected)"},
					&cli.StringFlag{Name: "source-lang", Usage: "`LANG` of the first column of two-column CSV/TSV files without a header"},
					&cli.StringFlag{Name: "target-lang", Usage: "`LANG` of the second column of two-column CSV/TSV files without a header"},
					&cli.StringFlag{Name: "id-prefix", Usage: "`PREFIX` for the concept ids of these files, to keep them apart from ids already used"},
					&cli.Int64Flag{Name: "max-size", Value: glossary.DefaultMaxBytes >> 20, Usage: "largest file to read, in `MiB`"},
					&cli.BoolFlag{Name: "dry-run", Usage: "report what would change without writing the termbase"},
					&cli.StringFlag{Name: "as", Usage: "author `\"Name <email>\"` of the termbase change in a workspace (default: $KBOPS_REVIEWER, then git's user.email); they may not approve it"},
				},
				Action: func(c *cli.Context) error {
					store, err := reviewBranchTermbase(c)
					if err != nil {
						return err
					}
					return runGlossaryImport(c.Context, glossaryImportOptions{
						Dir: glossaryDir(c), Encoding: c.String("encoding"),
						SourceLang: c.String("source-lang"), TargetLang: c.String("target-lang"),
						IDPrefix: c.String("id-prefix"), MaxBytes: c.Int64("max-size") << 20, DryRun: c.Bool("dry-run"),
						Store: store,
					}, c.Args().Slice(), c.App.Writer)
				},
			},
			{
				Name:  "suggest",
				Usage: "propose term pairs mined from translation siblings, as a termbase change to review",
				Description: `Pairs the sections of different-language editions of one manual (the
translation siblings search uses) and proposes the terms that occur in the
same aligned sections and rarely apart: "Akku" = "battery", "调试接口" =
"debug interface". Each pair becomes a concept mined-… in the termbase on
the review branch, with its evidence (score, counts, unit pairs) in its
notes; search expands queries with it only after a glossary reviewer
approved the termbase (kbops review approve --stage glossary), who may edit
or delete concepts first. Terms the termbase has already are not proposed,
so running it again after approval proposes only what is new.

The score is the Dice coefficient of the aligned pairs containing each term,
weighed by how near the two stand in their sections (1: always together, at
the same place). See docs/glossary.md, "Mined terms".

Example:
   kbops glossary suggest --dry-run
   kbops glossary suggest --langs en,de --min-pairs 4
   kbops glossary suggest --json > suggestions.json`,
				Flags: []cli.Flag{
					&cli.IntFlag{Name: "min-pairs", Value: 3, Usage: "aligned section pairs that must contain both terms"},
					&cli.Float64Flag{Name: "min-score", Value: 0.6, Usage: "least score (0–1) of a pair"},
					&cli.StringFlag{Name: "langs", Usage: "comma-separated `LANGS` (primary subtags) to mine between (default: all)"},
					&cli.IntFlag{Name: "show", Value: 50, Usage: "suggestions to print (0: all); all are written"},
					&cli.BoolFlag{Name: "dry-run", Usage: "print the suggestions without writing the termbase"},
					&cli.BoolFlag{Name: "json", Usage: "print the suggestions as JSON, with their evidence"},
					&cli.StringFlag{Name: "as", Usage: "author `\"Name <email>\"` of the termbase change (default: $KBOPS_REVIEWER, then git's user.email); they may not approve it"},
				},
				Action: func(c *cli.Context) error {
					ws := glossaryWorkspace(c)
					if ws == nil {
						return usageErr("glossary suggest mines the units of a workspace: run it inside one (or pass --workspace)")
					}
					store, err := reviewBranchTermbase(c)
					if err != nil {
						return err
					}
					store.Op = "suggest"
					if c.Float64("min-score") < 0 || c.Float64("min-score") > 1 {
						return usageErr("--min-score %v: give a score from 0 to 1", c.Float64("min-score"))
					}
					return runGlossarySuggest(c.Context, ws, glossarySuggestOptions{
						Mine:   mine.Options{MinPairs: max(c.Int("min-pairs"), 1), MinScore: c.Float64("min-score"), Langs: splitList(c.String("langs"))},
						DryRun: c.Bool("dry-run"), JSON: c.Bool("json"), Show: c.Int("show"), Store: store,
					}, c.App.Writer)
				},
			},
			{
				Name:  "export",
				Usage: "write the termbase as TBX, or as glossaries for translation services",
				Description: `Formats:
   tbx        TBX-Basic v3 (the termbase file itself, optionally cut to --langs)
   csv, tsv   equivalent term sets: a header of languages, one row per concept
              with its preferred term in each (Google Cloud Translation's format)
   pairs      one source,target CSV per ordered pair of --langs, as DeepL's
              glossary API takes them: preferred and admitted terms only
   pairs-tsv  the same, tab-separated

Without --out, tbx, csv and tsv go to standard output.

Example:
   kbops glossary export --format tbx --out termbase-for-translators.tbx
   kbops glossary export --format csv --langs en,zh-CN,es-MX > glossary.csv
   kbops glossary export --format pairs --langs en,de,fr --out deepl/`,
				Flags: []cli.Flag{
					dirFlag,
					&cli.StringFlag{Name: "format", Value: "tbx", Usage: "tbx, csv, tsv, pairs or pairs-tsv"},
					&cli.StringFlag{Name: "langs", Usage: "comma-separated `LANGS` to export, e.g. en,zh,es-MX (default: all; pairs need two or more)"},
					&cli.StringFlag{Name: "out", Usage: "output `FILE` (tbx, csv, tsv) or FOLDER (pairs)"},
				},
				Action: func(c *cli.Context) error {
					tr, err := committedTermbase(c)
					if err != nil {
						return err
					}
					return runGlossaryExport(c.Context, glossaryExportOptions{
						Termbase: tr, Dir: glossaryDir(c), Format: c.String("format"), Langs: splitList(c.String("langs")), Out: c.String("out"),
					}, c.Args().Slice(), c.App.Writer)
				},
			},
			{
				Name:      "check",
				Usage:     "check unit files against the termbase",
				ArgsUsage: "[PATH...]",
				Description: `Runs the glossary pass over unit files (or folders of them, default units/)
and prints each finding as FILE:LINE: severity code: message. Codes:
forbidden-term (error), deprecated-term, wrong-variant, inconsistent-term,
inconsistent-term-product (warnings) and missing-translation (info, shown with
--all; otherwise summed up per language). Exits with 3 when there are errors
(or, with --strict, warnings) or unreadable files.

Example:
   kbops glossary check units/
   kbops glossary check --strict --targets en,zh,es units/vf-200/
   kbops glossary check --json units/ > findings.json`,
				Flags: []cli.Flag{
					dirFlag,
					&cli.StringFlag{Name: "targets", Usage: "languages to report missing terms for (default: en,zh,es,de,fr,pt,ar,ru,ja)"},
					&cli.BoolFlag{Name: "all", Usage: "also print info findings (missing translations) one by one"},
					&cli.BoolFlag{Name: "strict", Usage: "exit with 3 on warnings too"},
					&cli.BoolFlag{Name: "json", Usage: "print findings as a JSON array"},
				},
				Action: func(c *cli.Context) error {
					tr, err := committedTermbase(c)
					if err != nil {
						return err
					}
					return runGlossaryCheck(c.Context, glossaryCheckOptions{
						Termbase: tr, Dir: glossaryDir(c), Targets: splitList(c.String("targets")),
						All: c.Bool("all"), Strict: c.Bool("strict"), JSON: c.Bool("json"),
					}, c.Args().Slice(), c.App.Writer)
				},
			},
			{
				Name:      "stats",
				Usage:     "count concepts and terms per language",
				ArgsUsage: "[FILE|FOLDER]",
				Description: `Summarises the workspace's termbase, another glossary folder, or any TBX,
CSV or TSV file (no workspace needed): concepts, terms per language and
status, and the concepts without a term in each target language.

Example:
   kbops glossary stats
   kbops glossary stats --json ~/Downloads/vendor-terms.tbx`,
				Flags: []cli.Flag{
					dirFlag,
					&cli.BoolFlag{Name: "json", Usage: "print the numbers as JSON"},
					&cli.StringFlag{Name: "targets", Usage: "languages to count gaps for (default: en,zh,es,de,fr,pt,ar,ru,ja)"},
					&cli.StringFlag{Name: "encoding", Usage: "character encoding of FILE (default: detected)"},
					&cli.StringFlag{Name: "source-lang", Usage: "`LANG` of the first column of a two-column FILE without a header"},
					&cli.StringFlag{Name: "target-lang", Usage: "`LANG` of the second column of a two-column FILE without a header"},
				},
				Action: func(c *cli.Context) error {
					tr, err := committedTermbase(c)
					if err != nil {
						return err
					}
					return runGlossaryStats(c.Context, glossaryStatsOptions{
						Termbase: tr, Dir: glossaryDir(c), JSON: c.Bool("json"), Targets: splitList(c.String("targets")),
						Encoding: c.String("encoding"), SourceLang: c.String("source-lang"), TargetLang: c.String("target-lang"),
					}, c.Args().Slice(), c.App.Writer)
				},
			},
		},
	}
}

// glossaryDir is --dir when given; else glossary/ of the workspace named by
// --workspace or found above the current folder; else ./glossary.
func glossaryDir(c *cli.Context) string {
	if d := c.String("dir"); d != "" {
		return d
	}
	start := c.String("workspace")
	if start == "" {
		start = "."
	}
	if root, err := workspace.FindRoot(start); err == nil {
		return filepath.Join(root, glossary.Dir)
	}
	return filepath.Join(start, glossary.Dir)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// glossaryFlagsAfterArgs catches "import a.tbx --dir x": urfave/cli stops
// reading flags at the first argument, so the flag would be taken for a
// file name.
func glossaryFlagsAfterArgs(cmd string, args []string) error {
	for _, a := range args {
		if strings.HasPrefix(a, "-") && a != "-" {
			return usageErr("%q comes after a file name: put flags first, as in `kbops glossary %s %s FILE...`", a, cmd, a)
		}
	}
	return nil
}

// loadGlossaryDir loads dir/termbase.tbx; a missing file gives an empty
// termbase and missing=true.
func loadGlossaryDir(dir string) (tb *glossary.Termbase, missing bool, err error) {
	tb, err = glossary.Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return glossary.New(), true, nil
	}
	return tb, false, err
}
