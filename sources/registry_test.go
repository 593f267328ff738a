package sources_test

import (
	"slices"
	"testing"

	"github.com/kbops/kbops/sources"
	_ "github.com/kbops/kbops/sources/all"
)

// TestPluginsRegisterThemselves: which location reads a `location:` value
// and which formats a kind reads come from the plugins' registrations,
// with the same answers the core used to hard-code.
func TestPluginsRegisterThemselves(t *testing.T) {
	for loc, want := range map[string]string{
		"../manuals":                         "folder",
		"manuals/**/*.md":                    "folder",
		"https://docs.example.com/manual/":   "http",
		"http://127.0.0.1:8080/page.html":    "http",
		"https://git.example.com/vendor.git": "git",
		"git@github.com:vendor/docs.git":     "git",
		"ssh://git.example.com/docs":         "git",
		"file:///srv/docs.git":               "git",
	} {
		spec := sources.Spec{Location: sources.Locations{loc}}
		if got := spec.LocationScheme(); got != want {
			t.Errorf("%s: scheme %q, want %q", loc, got, want)
		}
	}
	if got := (sources.Spec{Type: "http", Location: sources.Locations{"x.git"}}).LocationScheme(); got != "http" {
		t.Errorf("type: http is overridden by the location: %q", got)
	}
	for kind, want := range map[string][]string{
		"manuals": {"html", "markdown", "pdf"},
		"notes":   {"markdown"},
		"tickets": {"tickets"},
	} {
		if got := sources.Default.KindFormats(kind); !slices.Equal(got, want) {
			t.Errorf("%s reads %v, want %v", kind, got, want)
		}
	}
	if f := sources.Default.FormatOfType("text/html; charset=windows-1251"); f != "html" {
		t.Errorf("text/html is format %q", f)
	}
	if got := (&sources.Registry{}).SchemeOf(sources.Spec{Location: sources.Locations{"x"}}); got != "" {
		t.Errorf("an empty registry claims %q", got)
	}
}
