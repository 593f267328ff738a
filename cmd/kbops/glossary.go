package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/pipeline/config"
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
					return runGlossaryExport(c.Context, glossaryExportOptions{
						Dir: glossaryDir(c), Format: c.String("format"), Langs: splitList(c.String("langs")), Out: c.String("out"),
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
					return runGlossaryCheck(c.Context, glossaryCheckOptions{
						Dir: glossaryDir(c), Targets: splitList(c.String("targets")),
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
					return runGlossaryStats(c.Context, glossaryStatsOptions{
						Dir: glossaryDir(c), JSON: c.Bool("json"), Targets: splitList(c.String("targets")),
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
	if start != "" {
		return filepath.Join(start, "glossary")
	}
	if abs, err := filepath.Abs("."); err == nil {
		for d := abs; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, config.FileName)); err == nil {
				return filepath.Join(d, "glossary")
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "glossary"
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

type glossaryImportOptions struct {
	Dir                    string
	Encoding               string
	SourceLang, TargetLang string
	IDPrefix               string
	MaxBytes               int64
	DryRun                 bool
	// Store, when set, reads and writes the termbase instead of Dir: in a
	// workspace, the termbase on the review branch, so that the change is
	// reviewed like a unit (see reviewBranchTermbase).
	Store *reviews.TermbaseStore
}

// maxProblemsShown bounds the skipped-entry lines printed per file; the
// rest are counted.
const maxProblemsShown = 20

func runGlossaryImport(ctx context.Context, opts glossaryImportOptions, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageErr("no file to import: kbops glossary import FILE... (TBX, CSV or TSV)")
	}
	if err := glossaryFlagsAfterArgs("import", args); err != nil {
		return err
	}
	iopts := glossary.ImportOptions{
		Encoding: opts.Encoding, SourceLang: opts.SourceLang, TargetLang: opts.TargetLang,
		IDPrefix: opts.IDPrefix, MaxBytes: opts.MaxBytes,
	}
	var run glossary.ImportRun
	merge := func(name string) func(tb *glossary.Termbase, missing bool) (bool, error) {
		return func(tb *glossary.Termbase, missing bool) (bool, error) {
			if missing {
				fmt.Fprintf(out, "%s: no termbase yet, starting one\n", filepath.Join(name, glossary.TermbaseFile))
			}
			var err error
			if run, err = glossary.ImportFiles(ctx, tb, args, iopts); err != nil {
				return false, err
			}
			printImport(out, run)
			verb := ""
			if opts.DryRun {
				verb = " (dry run: nothing written)"
			}
			fmt.Fprintf(out, "%s: %d concepts added, %d changed, %d in all%s\n", filepath.Join(name, glossary.TermbaseFile), len(run.Added), len(run.Changed), tb.Len(), verb)
			return !opts.DryRun && (len(run.Added) > 0 || len(run.Changed) > 0), nil
		}
	}
	if opts.Store != nil {
		if err := opts.Store.Update(ctx, time.Now(), merge(opts.Store.Name())); err != nil {
			return err
		}
	} else {
		tb, missing, err := loadGlossaryDir(opts.Dir)
		if err != nil {
			return fmt.Errorf("%w; fix the termbase file (or restore it from git) before importing into it", err)
		}
		save, err := merge(opts.Dir)(tb, missing)
		if err != nil {
			return err
		}
		if save {
			if err := glossary.Save(opts.Dir, tb); err != nil {
				return err
			}
		}
	}
	switch {
	case run.Failed > 0:
		return attention("%d of %d files could not be imported (see above); the others were", run.Failed, len(args))
	case run.Conflicts > 0:
		return attention("%d concepts were not merged because of id conflicts (see above)", run.Conflicts)
	}
	return nil
}

// printImport prints what each file of an import brought.
func printImport(out io.Writer, run glossary.ImportRun) {
	for _, f := range run.Files {
		if f.Err != nil {
			fmt.Fprintf(out, "%v\n", f.Err)
			continue
		}
		im := f.Import
		fmt.Fprintf(out, "%s: %d concepts, %d terms (%s, %s", f.Path, im.Termbase.Len(), im.Terms(), im.Format, im.Encoding)
		if im.How == "guess" {
			fmt.Fprint(out, " guessed; set --encoding if the text looks wrong")
		}
		fmt.Fprintln(out, ")")
		if len(im.Dropped) > 0 {
			fmt.Fprintf(out, "  not kept (kbops has no field for them): %s\n", droppedList(im.Dropped))
		}
		for i, p := range im.Problems {
			if i == maxProblemsShown {
				fmt.Fprintf(out, "  ... and %d more skipped or doubtful entries\n", len(im.Problems)-maxProblemsShown)
				break
			}
			fmt.Fprintf(out, "  %s\n", p)
		}
		for _, c := range f.Merge.Conflicts {
			fmt.Fprintf(out, "  %s\n", c)
		}
	}
}

func droppedList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

type glossaryExportOptions struct {
	Dir    string
	Format string
	Langs  []string
	Out    string
}

func runGlossaryExport(ctx context.Context, opts glossaryExportOptions, args []string, out io.Writer) error {
	if len(args) > 0 {
		return usageErr("export takes no arguments (got %q); name the output with --out", args[0])
	}
	for _, l := range opts.Langs {
		if !glossary.ValidLocale(l) {
			return usageErr("--langs: %q is not a BCP 47 language tag (try en, de, zh-CN, es-MX)", l)
		}
	}
	tb, missing, err := loadGlossaryDir(opts.Dir)
	if err != nil {
		return err
	}
	if missing || tb.Len() == 0 {
		return usageErr("no termbase in %s: import one first with `kbops glossary import FILE`", opts.Dir)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	switch opts.Format {
	case "tbx", "csv", "tsv":
		var data strings.Builder
		rows := tb.Len()
		switch opts.Format {
		case "tbx":
			sub := tb
			if len(opts.Langs) > 0 {
				sub = tb.Subset(opts.Langs)
			}
			rows = sub.Len()
			_ = glossary.WriteTBX(&data, sub)
		default:
			delim := ','
			if opts.Format == "tsv" {
				delim = '\t'
			}
			if rows, err = glossary.WriteTermSets(&data, tb, opts.Langs, delim); err != nil {
				return err
			}
		}
		if opts.Out == "" || opts.Out == "-" {
			_, err := io.WriteString(out, data.String())
			return err
		}
		path := opts.Out
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			path = filepath.Join(path, "glossary."+opts.Format)
		}
		if err := os.WriteFile(path, []byte(data.String()), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Fprintf(out, "%s: %d concepts (%s)\n", path, rows, opts.Format)
		return nil
	case "pairs", "pairs-tsv":
		if opts.Out == "" || opts.Out == "-" {
			return usageErr("pair glossaries are one file per language pair: give a folder with --out DIR")
		}
		langs := opts.Langs
		if len(langs) == 0 {
			langs = tb.Locales()
		}
		if len(langs) < 2 {
			return usageErr("pair glossaries need two or more languages: --langs en,de")
		}
		delim := ','
		if opts.Format == "pairs-tsv" {
			delim = '\t'
		}
		reps, err := glossary.WritePairFiles(opts.Out, tb, langs, delim)
		if err != nil {
			return err
		}
		for _, r := range reps {
			fmt.Fprintf(out, "%s: %d entries", r.File, r.Entries)
			if r.Missing > 0 {
				fmt.Fprintf(out, ", %d concepts without a %s term", r.Missing, r.Target)
			}
			fmt.Fprintln(out)
			for _, s := range r.Skipped {
				fmt.Fprintf(out, "  skipped: %s\n", s)
			}
		}
		return nil
	}
	return usageErr("unknown --format %q: use tbx, csv, tsv, pairs or pairs-tsv", opts.Format)
}

type glossaryCheckOptions struct {
	Dir     string
	Targets []string
	All     bool
	Strict  bool
	JSON    bool
}

func runGlossaryCheck(ctx context.Context, opts glossaryCheckOptions, args []string, out io.Writer) error {
	if err := glossaryFlagsAfterArgs("check", args); err != nil {
		return err
	}
	for _, l := range opts.Targets {
		if !glossary.ValidLocale(l) {
			return usageErr("--targets: %q is not a BCP 47 language tag (try en, de, zh, es)", l)
		}
	}
	if len(args) == 0 {
		units := filepath.Join(filepath.Dir(opts.Dir), knowledge.UnitsDir)
		if st, err := os.Stat(units); err != nil || !st.IsDir() {
			return usageErr("no units to check: kbops glossary check PATH... (unit files or folders of them)")
		}
		args = []string{units}
	}
	tb, missing, err := loadGlossaryDir(opts.Dir)
	if err != nil {
		return err
	}
	if missing || tb.Len() == 0 {
		return usageErr("no termbase in %s: import one first with `kbops glossary import FILE`", opts.Dir)
	}
	m, err := glossary.NewMatcher(tb, glossary.MatcherOptions{Targets: opts.Targets})
	if err != nil {
		return err
	}
	rep, err := glossary.CheckFiles(ctx, m, args, opts.All)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep.Findings); err != nil {
			return err
		}
	} else {
		for _, f := range rep.Findings {
			loc := f.File
			if f.Line > 0 {
				loc = fmt.Sprintf("%s:%d", f.File, f.Line)
			}
			fmt.Fprintf(out, "%s: %s %s: %s\n", loc, f.Severity, f.Code, f.Message)
		}
		fmt.Fprintf(out, "%d units checked, %d mention glossary concepts: %d errors, %d warnings", rep.Units, rep.Mentioned, rep.Errors, rep.Warnings)
		if opts.All {
			fmt.Fprintf(out, ", %d notes", rep.Infos)
		}
		fmt.Fprintln(out)
		if len(rep.Gaps) > 0 && !opts.All {
			langs := make([]string, 0, len(rep.Gaps))
			for l := range rep.Gaps {
				langs = append(langs, l)
			}
			slices.Sort(langs)
			parts := make([]string, len(langs))
			for i, l := range langs {
				parts[i] = fmt.Sprintf("%s %d", l, rep.Gaps[l])
			}
			fmt.Fprintf(out, "concepts used without a term in: %s (--all lists them)\n", strings.Join(parts, ", "))
		}
	}
	switch {
	case rep.Unreadable > 0:
		return attention("%d files could not be read as units (see above)", rep.Unreadable)
	case rep.Errors > 0:
		return attention("%d terminology errors (see above)", rep.Errors)
	case opts.Strict && rep.Warnings > 0:
		return attention("%d terminology warnings (see above)", rep.Warnings)
	}
	return nil
}

type glossaryStatsOptions struct {
	Dir                    string
	JSON                   bool
	Targets                []string
	Encoding               string
	SourceLang, TargetLang string
}

func runGlossaryStats(ctx context.Context, opts glossaryStatsOptions, args []string, out io.Writer) error {
	if len(args) > 1 {
		return usageErr("stats takes one file or folder, got %d", len(args))
	}
	if err := glossaryFlagsAfterArgs("stats", args); err != nil {
		return err
	}
	var tb *glossary.Termbase
	name := filepath.Join(opts.Dir, glossary.TermbaseFile)
	target := opts.Dir
	if len(args) == 1 {
		target = args[0]
	}
	st, err := os.Stat(target)
	switch {
	case err != nil && len(args) == 0:
		return usageErr("no termbase in %s: import one with `kbops glossary import FILE`, or name a file: kbops glossary stats FILE", opts.Dir)
	case err != nil:
		return usageErr("%v", err)
	case st.IsDir():
		name = filepath.Join(target, glossary.TermbaseFile)
		tb, err = glossary.Load(target)
		if errors.Is(err, fs.ErrNotExist) {
			return usageErr("no %s in %s", glossary.TermbaseFile, target)
		}
		if err != nil {
			return err
		}
	default:
		name = target
		im, err := glossary.ImportFile(ctx, target, glossary.ImportOptions{Encoding: opts.Encoding, SourceLang: opts.SourceLang, TargetLang: opts.TargetLang, MaxBytes: -1})
		if err != nil {
			return err
		}
		tb = im.Termbase
	}
	stats := tb.Stats(opts.Targets)
	if opts.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			File string `json:"file"`
			glossary.Stats
		}{name, stats})
	}
	fmt.Fprintf(out, "%s: %d concepts, %d terms\n", name, stats.Concepts, stats.Terms)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "locale\tconcepts\tterms\tpreferred\tadmitted\tno status\tdeprecated\tforbidden\t")
	for _, l := range stats.Languages {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", l.Locale, l.Concepts, l.Terms, l.Preferred, l.Admitted, l.Unspecified, l.Deprecated, l.Forbidden)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	targets := opts.Targets
	if targets == nil {
		targets = glossary.DefaultTargets()
	}
	parts := make([]string, len(targets))
	for i, t := range targets {
		parts[i] = fmt.Sprintf("%s %d", t, stats.Gaps[t])
	}
	fmt.Fprintf(out, "concepts without a usable term: %s\n", strings.Join(parts, ", "))
	return nil
}
