package glossary

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kbops/kbops/knowledge"
)

// FileFinding is one terminology finding in a unit file, placed at its
// file line (`kbops glossary check` prints and encodes it).
type FileFinding struct {
	File       string `json:"file"`
	Line       int    `json:"line"`
	Unit       string `json:"unit,omitempty"`
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	Concept    string `json:"concept,omitempty"`
	Term       string `json:"term,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
	Message    string `json:"message"`
}

// FilesReport is what CheckFiles found.
type FilesReport struct {
	// Findings, never nil; files that are not unit files are findings of
	// severity "error" and code "unreadable".
	Findings []FileFinding
	// Units counts the unit files checked; Mentioned those that mention a
	// concept of the termbase.
	Units, Mentioned        int
	Unreadable              int
	Errors, Warnings, Infos int
	// Gaps counts, per language, the concepts used without a term in it.
	Gaps map[string]int
}

// CheckFiles maps the unit files at paths (files, or folders walked for
// *.md, hidden folders skipped) with m and returns the findings at file
// lines, with the product-consistency findings across them. Missing
// translations are listed only with all (they are counted in Gaps).
func CheckFiles(ctx context.Context, m *Matcher, paths []string, all bool) (FilesReport, error) {
	rep := FilesReport{Findings: []FileFinding{}, Gaps: map[string]int{}}
	var files []string
	for _, a := range paths {
		err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != a && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.EqualFold(filepath.Ext(p), ".md") || p == a {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			rep.Findings = append(rep.Findings, FileFinding{File: a, Severity: "error", Code: "unreadable", Message: err.Error()})
			rep.Unreadable++
		}
	}
	var units []*knowledge.Unit
	var results []Result
	unitFile := map[string]string{}
	gaps := map[string]map[string]bool{}
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			rep.Findings = append(rep.Findings, FileFinding{File: p, Severity: "error", Code: "unreadable", Message: err.Error()})
			rep.Unreadable++
			continue
		}
		u, err := knowledge.Parse(p, data)
		if err != nil {
			var fe *knowledge.FileError
			line := 0
			if errors.As(err, &fe) {
				line = fe.Line
			}
			rep.Findings = append(rep.Findings, FileFinding{File: p, Line: line, Severity: "error", Code: "unreadable", Message: "not a unit file: " + err.Error()})
			rep.Unreadable++
			continue
		}
		res := m.Map(&u)
		units = append(units, &u)
		results = append(results, res)
		unitFile[u.ID] = p
		if len(res.Concepts) > 0 {
			rep.Mentioned++
		}
		body, title := bodyLine(data), fieldLine(data, "title")
		for _, f := range res.Findings {
			if f.Code == CodeMissingTranslation && !all {
				continue
			}
			line := title
			if f.Field == "body" {
				line = body + f.Line - 1
			}
			rep.Findings = append(rep.Findings, FileFinding{File: p, Line: line, Unit: u.ID, Severity: string(f.Severity), Code: string(f.Code), Concept: f.Concept, Term: f.Term, Suggestion: f.Suggestion, Message: f.Message})
		}
		for lang, ids := range res.Gaps {
			if gaps[lang] == nil {
				gaps[lang] = map[string]bool{}
			}
			for _, id := range ids {
				gaps[lang][id] = true
			}
		}
	}
	rep.Units = len(units)
	for lang, ids := range gaps {
		rep.Gaps[lang] = len(ids)
	}
	for _, f := range m.ProductConsistency(units, results) {
		where := []string{}
		for _, u := range f.Uses {
			for _, id := range u.Units {
				where = append(where, fmt.Sprintf("%s (%q)", unitFile[id], u.Term))
			}
		}
		rep.Findings = append(rep.Findings, FileFinding{File: unitFile[f.Uses[len(f.Uses)-1].Units[0]], Severity: string(f.Severity), Code: string(f.Code), Concept: f.Concept, Suggestion: f.Suggestion, Message: f.Message + "; in " + strings.Join(where, ", ")})
	}
	for _, f := range rep.Findings {
		switch f.Severity {
		case "error":
			rep.Errors++
		case "warning":
			rep.Warnings++
		default:
			rep.Infos++
		}
	}
	return rep, nil
}

// bodyLine is the file line where a unit's body starts: the first
// non-blank line after the closing "---" of the front matter (the body is
// stored without its leading blank lines).
func bodyLine(data []byte) int {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	fences := 0
	for i, l := range lines {
		if strings.TrimRight(l, " \t") == "---" {
			fences++
			if fences == 2 {
				for j := i + 1; j < len(lines); j++ {
					if strings.TrimSpace(lines[j]) != "" {
						return j + 1
					}
				}
				return i + 2
			}
		}
	}
	return 1
}

// fieldLine is the file line of a front-matter field, or 1.
func fieldLine(data []byte, field string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, field+":") {
			return i + 1
		}
	}
	return 1
}
