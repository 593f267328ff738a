package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// goal is one target of the benchmark, as a ratio against the step's
// same-run anchor: at most max (times, sizes) or at least min (rates).
type goal struct {
	max, min float64
	text     string
}

// The goals, in one place: docs/performance.md and issue 16 state them;
// the harness prints and checks these. A step without an entry is
// reported only.
var goals = map[string]goal{
	"ingest (no-op)":      {max: 0.05, text: "≤ 0.05×, no commit"},
	"ingest (changed)":    {max: 0.10, text: "≤ 0.10×"},
	"approve":             {max: 1.0, text: "≤ 1× (per stage)"},
	"review verify":       {max: 0.5, text: "≤ 0.5×"},
	"review merge":        {max: 0.5, text: "≤ 0.5×"},
	"publish":             {min: 0.9, text: "≥ 0.9× rate"},
	"repository (packed)": {max: 1.5, text: "≤ 1.5× size"},
}

// The peak-RSS goal depends on scale: it is stated for the 201,170 units of
// the full `make bench` corpus, so it is checked only when a run has at
// least rssGoalUnits units. Every run checks the -rss-limit bound.
const (
	rssGoalMiB   = 1024
	rssGoalUnits = 200000
)

// check returns the goal text and "yes" / "NO (…)" for a ratio of step key;
// both are empty for a step without a goal.
func check(key string, ratio float64) (text, met string) {
	g, ok := goals[key]
	if !ok {
		return "report", ""
	}
	switch {
	case g.max > 0:
		return g.text, yesNo(ratio <= g.max, fmt.Sprintf("missed by %.2f", ratio-g.max))
	default:
		return g.text, yesNo(ratio >= g.min, fmt.Sprintf("missed by %.2f", g.min-ratio))
	}
}

// repoSize is the knowledge repository's .git: its bytes on disk and the
// number of loose objects (files under objects/xx/).
type repoSize struct {
	bytes int64
	loose int
	packs int
}

func measureRepo(ws string) (repoSize, error) {
	var s repoSize
	root := filepath.Join(ws, ".git")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		s.bytes += info.Size()
		rel, _ := filepath.Rel(root, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) == 3 && parts[0] == "objects" && len(parts[1]) == 2 {
			s.loose++
		}
		if len(parts) == 3 && parts[1] == "pack" && strings.HasSuffix(parts[2], ".pack") {
			s.packs++
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("size of %s: %w", root, err)
	}
	return s, nil
}

func (s repoSize) String() string {
	return fmt.Sprintf("%d MiB, %d loose, %d packs", s.bytes>>20, s.loose, s.packs)
}
