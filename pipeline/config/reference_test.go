package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"

	// The plugins kbops is built with, as in gen, so that their settings
	// are declared.
	_ "github.com/kbops/kbops/sources/folder"
	_ "github.com/kbops/kbops/sources/gitloc"
	_ "github.com/kbops/kbops/sources/html"
	_ "github.com/kbops/kbops/sources/httploc"
	_ "github.com/kbops/kbops/sources/markdown"
	_ "github.com/kbops/kbops/sources/pdf"
	_ "github.com/kbops/kbops/sources/tickets"
)

// docs/config.md and the init template are what the declarations
// generate: editing a declaration without regenerating fails here.
func TestConfigDocsAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	for file, want := range map[string]string{
		DocsFile:     Reference(sources.Default),
		TemplateFile: TemplateSource(),
	} {
		got, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s is stale: run `go generate ./pipeline/config`", file)
		}
	}
	if Template != TemplateText() {
		t.Errorf("%s is stale: run `go generate ./pipeline/config`", TemplateFile)
	}
}

// Every key of Config is declared, with a type that fits, and nothing is
// declared that Config does not read.
func TestFieldsDescribeConfig(t *testing.T) {
	for _, p := range cfgspec.Describes(Config{}, Fields()) {
		t.Error(p)
	}
}

// The defaults an empty file gets are the declared ones.
func TestDefaultsAreDeclared(t *testing.T) {
	c, err := Parse("kbops.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"version": 1, "defaults.language": "en", "defaults.access": "internal",
		"review.branch": "kbops/review", "review.main": "main",
		"weaviate.collection": "KnowledgeUnit", "weaviate.keep": 2, "weaviate.replication_factor": 1,
		"git.author": "kbops <kbops@localhost>",
	}
	for key, v := range want {
		f, ok := cfgspec.Find(Fields(), key)
		if !ok || f.Default == "" {
			t.Errorf("%s: no declared default", key)
			continue
		}
		got := fieldValue(t, reflect.ValueOf(c).Elem(), key)
		if got != v {
			t.Errorf("%s = %v, want %v", key, got, v)
		}
	}
	if strings.Join(c.Languages, ",") != "en,zh,es,de,fr,pt,ar,ru,ja" {
		t.Errorf("languages %v", c.Languages)
	}
}

func fieldValue(t *testing.T, v reflect.Value, key string) any {
	t.Helper()
	for _, part := range strings.Split(key, ".") {
		found := false
		for i := 0; i < v.NumField(); i++ {
			if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); name == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			t.Fatalf("%s: no field %s", key, part)
		}
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int:
		return int(v.Int())
	}
	return v.Interface()
}

// A source's options and extract settings are checked when kbops.yaml is
// loaded, against what the plugins declare, with the line and the key.
func TestPluginSettingsCheckedAtLoad(t *testing.T) {
	head := "version: 1\nsources:\n  - name: a\n    owner: o\n"
	cases := []struct{ name, src, want string }{
		{"folder unknown key", head + "    kind: notes\n    location: notes/\n    options:\n      max_file_sise: 10\n",
			"kbops.yaml:8: sources[0].options.max_file_sise: unknown key; the keys here are max_file_size, follow_symlinks"},
		{"folder wrong type", head + "    kind: notes\n    location: notes/\n    options:\n      max_file_size: 10MB\n",
			`kbops.yaml:8: sources[0].options.max_file_size: "10MB" is not a whole number`},
		{"folder bool", head + "    kind: notes\n    location: notes/\n    options: {follow_symlinks: sometimes}\n",
			`kbops.yaml:7: sources[0].options.follow_symlinks: "sometimes" is not true or false`},
		{"http duration", head + "    kind: manuals\n    location: https://docs.example.com/a/\n    options:\n      retries: 2\n      timeout: 10\n",
			`kbops.yaml:9: sources[0].options.timeout: "10" is not a duration`},
		{"git unknown key", head + "    kind: manuals\n    location: https://git.example.com/docs.git\n    options:\n      brnach: main\n",
			"kbops.yaml:8: sources[0].options.brnach: unknown key; the keys here are branch, path, max_file_size, token_env"},
		{"git token_env a list", head + "    kind: manuals\n    location: https://git.example.com/docs.git\n    options:\n      token_env: [A]\n",
			"kbops.yaml:8: sources[0].options.token_env: is a string"},
		{"tickets bad preset", head + "    kind: tickets\n    location: exports/\n    extract:\n      preset: zendsk\n",
			`kbops.yaml:8: sources[0].extract.preset: "zendsk" is not one of freshdesk, tobi-bueck, zendesk`},
		{"tickets unknown field", head + "    kind: tickets\n    location: exports/\n    extract:\n      fields:\n        subjct: title\n",
			"kbops.yaml:9: sources[0].extract.fields.subjct: unknown key; the keys here are id, subject"},
		{"tickets pattern without regexp key", head + "    kind: tickets\n    location: exports/\n    extract:\n      redact:\n        patterns:\n          - {kind: kd, regex: x}\n",
			"kbops.yaml:10: sources[0].extract.redact.patterns[0].regex: unknown key; the keys here are kind, regexp"},
		{"tickets value checked by the plugin", head + "    kind: tickets\n    location: exports/\n    extract:\n      encoding: klingon\n",
			`kbops.yaml:8: sources[0].extract.encoding: unknown encoding "klingon"`},
		{"tickets similarity out of range", head + "    kind: tickets\n    location: exports/\n    extract:\n      similarity: 2\n",
			"kbops.yaml:8: sources[0].extract.similarity: 2 is not between 0 and 1"},
		{"manuals take no extract", head + "    kind: manuals\n    location: manuals/\n    extract:\n      preset: zendesk\n",
			"kbops.yaml:8: sources[0].extract.preset: unknown key; a manuals source reads no extract settings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("kbops.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	ok := head + `    kind: tickets
    location: exports/
    extract:
      preset: zendesk
      fields: {product: custom_fields.product}
      similarity: 0.7
      delimiter: ";"
      redact:
        patterns:
          - {kind: customer_no, regexp: '\bKD-\d{6}\b'}
  - {name: b, owner: o, kind: manuals, location: "https://docs.example.com/", options: {timeout: 30s, retries: 1, base: "https://docs.example.com/"}}
  - {name: c, owner: o, kind: manuals, location: "https://git.example.com/d.git", options: {branch: main, token_env: VENDOR_GIT_TOKEN}}
  - {name: d, owner: o, kind: notes, location: notes/, options: {max_file_size: 1024, follow_symlinks: true}}
`
	if _, err := Parse("kbops.yaml", []byte(ok)); err != nil {
		t.Errorf("good settings refused: %v", err)
	}
}
