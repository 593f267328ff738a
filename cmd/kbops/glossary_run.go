package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/reviews"
)

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
	// Termbase, when set, is read instead of Dir.
	Termbase termbaseReader
	Dir      string
	Format   string
	Langs    []string
	Out      string
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
	tb, missing, name, err := loadTermbase(ctx, opts.Termbase, opts.Dir)
	if err != nil {
		return err
	}
	if missing || tb.Len() == 0 {
		return usageErr("no termbase in %s: import one first with `kbops glossary import FILE`", name)
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
