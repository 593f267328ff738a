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
	"text/tabwriter"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
)

type glossaryCheckOptions struct {
	// Termbase, when set, is read instead of Dir/termbase.tbx (Dir still
	// locates the default units/).
	Termbase termbaseReader
	Dir      string
	Targets  []string
	All      bool
	Strict   bool
	JSON     bool
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
	tb, missing, name, err := loadTermbase(ctx, opts.Termbase, opts.Dir)
	if err != nil {
		return err
	}
	if missing || tb.Len() == 0 {
		return usageErr("no termbase in %s: import one first with `kbops glossary import FILE`", name)
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
		if opts.Termbase != nil {
			fmt.Fprintf(out, "termbase: %s\n", name)
			workingCopyNote(out, opts.Termbase)
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
	// Termbase, when set and no file is named, is read instead of Dir.
	Termbase               termbaseReader
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
	case len(args) == 0 && opts.Termbase != nil:
		var missing bool
		if tb, missing, name, err = loadTermbase(ctx, opts.Termbase, opts.Dir); err != nil {
			return err
		}
		if missing {
			return usageErr("no termbase in %s: import one with `kbops glossary import FILE`, or name a file: kbops glossary stats FILE", name)
		}
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
