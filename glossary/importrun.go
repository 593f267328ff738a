package glossary

import (
	"context"
	"slices"
)

// FileImport is what importing one file into a termbase did.
type FileImport struct {
	Path string
	// Err is set when the file could not be imported; the others go on.
	Err error
	// Import is the file as read (nil with Err).
	Import *Import
	// Merge is what merging it into the termbase changed.
	Merge MergeReport
}

// ImportRun is the outcome of ImportFiles.
type ImportRun struct {
	Files []FileImport
	// Added and Changed list concept ids, sorted, each once; a concept
	// added by one file and changed by a later one counts as added.
	Added, Changed              []string
	Failed, Conflicts, Problems int
}

// ImportFiles imports each file and merges it into tb in order, as
// `kbops glossary import` does: a file that cannot be read is reported
// and the others are merged. Only a cancelled ctx stops it.
func ImportFiles(ctx context.Context, tb *Termbase, paths []string, o ImportOptions) (ImportRun, error) {
	var run ImportRun
	for _, path := range paths {
		im, err := ImportFile(ctx, path, o)
		if err != nil {
			if ctx.Err() != nil {
				return run, ctx.Err()
			}
			run.Files = append(run.Files, FileImport{Path: path, Err: err})
			run.Failed++
			continue
		}
		rep := tb.Merge(im.Termbase, im.MergeOptions())
		run.Files = append(run.Files, FileImport{Path: path, Import: im, Merge: rep})
		run.Problems += len(im.Problems)
		run.Conflicts += len(rep.Conflicts)
		run.Added = append(run.Added, rep.Added...)
		run.Changed = append(run.Changed, rep.Changed...)
	}
	slices.SortFunc(run.Added, CompareIDs)
	run.Added = slices.Compact(run.Added)
	slices.SortFunc(run.Changed, CompareIDs)
	run.Changed = slices.Compact(run.Changed)
	run.Changed = slices.DeleteFunc(run.Changed, func(id string) bool { return slices.Contains(run.Added, id) })
	return run, nil
}
