package all_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
	_ "github.com/kbops/kbops/sources/all"
)

const root = "../.."

func read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var backticked = regexp.MustCompile("`([a-z]+)`")

// words returns the backticked words of s, sorted, each once.
func words(s string) []string {
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// section returns the text of docs from the heading line to the next
// heading of the same level.
func section(t *testing.T, doc, heading string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("no %q heading", heading)
	}
	rest := doc[i+len(heading)+2:]
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if j := strings.Index(rest, "\n"+level); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestEveryPluginIsImportedAndListed: the built-in plugins are the ones
// the registry holds once sources/all is imported. Every package under
// sources/ that registers itself must be imported by all.go, and the
// places that list the plugins for people (docs/sources.md, the `type`
// field of the config spec behind docs/config.md, docs/architecture.md,
// the package comment of sources/all) must list exactly those.
func TestEveryPluginIsImportedAndListed(t *testing.T) {
	schemes, formats := sources.Default.Schemes(), sources.Default.Formats()
	if len(schemes) == 0 || len(formats) == 0 {
		t.Fatalf("registry: schemes %v, formats %v", schemes, formats)
	}

	// Packages that register themselves, and what all.go imports.
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "sources", "all", "all.go"), nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var imported []string
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		imported = append(imported, strings.TrimPrefix(p, "github.com/kbops/kbops/sources/"))
	}
	dirs, err := os.ReadDir(filepath.Join(root, "sources"))
	if err != nil {
		t.Fatal(err)
	}
	var plugins []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(root, "sources", d.Name(), "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			if b, _ := os.ReadFile(file); regexp.MustCompile(`\bsources\.Default\.Register(Scheme|Format)\(`).Match(b) {
				plugins = append(plugins, d.Name())
				break
			}
		}
	}
	slices.Sort(imported)
	if !slices.Equal(plugins, imported) {
		t.Errorf("packages registering a plugin %v, sources/all imports %v", plugins, imported)
	}

	// The package comment of sources/all names every scheme and format.
	doc := f.Doc.Text()
	for _, name := range append(slices.Clone(schemes), formats...) {
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(doc) {
			t.Errorf("the sources/all package comment does not name %q", name)
		}
	}

	// docs/sources.md: the table of locations, the formats per kind.
	guide := read(t, "docs/sources.md")
	var rows []string
	for _, line := range strings.Split(section(t, guide, "## Locations"), "\n") {
		if m := regexp.MustCompile("^\\| `([a-z]+)` \\|").FindStringSubmatch(line); m != nil {
			rows = append(rows, m[1])
		}
	}
	slices.Sort(rows)
	if !slices.Equal(rows, schemes) {
		t.Errorf("docs/sources.md lists the locations %v, the registry has %v", rows, schemes)
	}
	m := regexp.MustCompile(`registered for its kind \(([^)]*)\)`).FindStringSubmatch(strings.Join(strings.Fields(guide), " "))
	if m == nil {
		t.Fatal("docs/sources.md: no list of the formats each kind reads")
	}
	var listed []string
	for _, part := range strings.Split(m[1], ";") {
		kind, fs, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			t.Fatalf("docs/sources.md: %q is not kind: formats", part)
		}
		if got, want := words(fs), sources.Default.KindFormats(kind); !slices.Equal(got, want) {
			t.Errorf("docs/sources.md: %s read %v, the registry says %v", kind, got, want)
		}
		listed = append(listed, sources.Default.KindFormats(kind)...)
	}
	slices.Sort(listed)
	if listed = slices.Compact(listed); !slices.Equal(listed, formats) {
		t.Errorf("docs/sources.md names the formats %v of its kinds, the registry has %v", listed, formats)
	}

	// The config spec of `type:` (docs/config.md is generated from it).
	var typeDoc string
	for _, fld := range sources.SpecFields {
		if fld.Key == "type" {
			typeDoc = fld.Description
		}
	}
	if got := words(typeDoc); !slices.Equal(got, schemes) {
		t.Errorf("the spec of a source's type: names %v, the registry has %v", got, schemes)
	}

	// docs/architecture.md: a package row names every plugin package.
	arch := read(t, "docs/architecture.md")
	for _, p := range plugins {
		if !strings.Contains(arch, "`sources/"+p+"`") && !strings.Contains(arch, ", `"+p+"`") {
			t.Errorf("docs/architecture.md has no row naming sources/%s", p)
		}
	}
}
