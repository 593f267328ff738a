package ingest

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// baseUnits reads the units of the commit a run builds on lazily, one
// document folder at a time. Unit files of a document live directly in
// units/<source>/<document slug>/, so a run that re-extracts 1 % of the
// documents parses about 1 % of the units; only the tree's paths are read
// for the rest.
type baseUnits struct {
	repo   *kbrepo.Repo
	tree   kbrepo.Tree
	dirs   map[string][]string // folder → unit file paths directly in it
	parsed map[string][]*knowledge.Unit
	// problems are unit files that could not be read; each names the file.
	problems []error
	owners   *reviews.Owners
}

func newBaseUnits(repo *kbrepo.Repo, tree kbrepo.Tree) *baseUnits {
	b := &baseUnits{repo: repo, tree: tree, dirs: map[string][]string{}, parsed: map[string][]*knowledge.Unit{}, owners: &reviews.Owners{}}
	for p := range tree {
		if _, ok := knowledge.IDFromPath(p); ok {
			d := path.Dir(p)
			b.dirs[d] = append(b.dirs[d], p)
		}
	}
	if data, ok, err := repo.ReadPath(tree, reviews.OwnersFile); err == nil && ok {
		if o, err := reviews.ParseOwners(reviews.OwnersFile, data); err == nil {
			b.owners = o
		} else {
			b.problems = append(b.problems, err)
		}
	}
	return b
}

// unitFiles is the number of unit files in the tree.
func (b *baseUnits) unitFiles() int {
	n := 0
	for _, ps := range b.dirs {
		n += len(ps)
	}
	return n
}

// docDir is the folder holding the unit files of a document.
func docDir(source, key string) string {
	return path.Dir(knowledge.FilePath(knowledge.MakeID(source, key, nil)))
}

// has reports whether the document's folder holds unit files.
func (b *baseUnits) has(source, key string) bool { return len(b.dirs[docDir(source, key)]) > 0 }

// parseDir parses the unit files directly in a folder, once.
func (b *baseUnits) parseDir(ctx context.Context, dir string) ([]*knowledge.Unit, error) {
	if us, ok := b.parsed[dir]; ok {
		return us, nil
	}
	var us []*knowledge.Unit
	paths := append([]string(nil), b.dirs[dir]...)
	sort.Strings(paths)
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := b.repo.Read(b.tree[p].Hash)
		if err != nil {
			return nil, err
		}
		u, err := knowledge.Parse(p, data)
		if err != nil {
			b.problems = append(b.problems, err)
			continue
		}
		if id, _ := knowledge.IDFromPath(p); u.ID != id {
			b.problems = append(b.problems, fmt.Errorf("%s: field \"id\": %q does not match the file's path (want %q); move the file or fix the id", p, u.ID, id))
			continue
		}
		us = append(us, &u)
	}
	b.parsed[dir] = us
	return us, nil
}

// forDocument returns the units of one document of a source.
func (b *baseUnits) forDocument(ctx context.Context, source, key string) ([]*knowledge.Unit, error) {
	us, err := b.parseDir(ctx, docDir(source, key))
	if err != nil {
		return nil, err
	}
	var out []*knowledge.Unit
	for _, u := range us {
		if u.Source.Name == source && u.Source.Document == key {
			out = append(out, u)
		}
	}
	return out, nil
}

// sourceDirs lists the folders of a source's documents, sorted.
func (b *baseUnits) sourceDirs(source string) []string {
	prefix := knowledge.UnitsDir + "/" + knowledge.Slug(source) + "/"
	var out []string
	for d := range b.dirs {
		if strings.HasPrefix(d+"/", prefix) {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}
