// Command gen writes docs/config.md and pipeline/config/template.go from
// the key declarations of kbops.yaml and of the built-in plugins. Run it
// with `go generate ./pipeline/config` after changing a declaration;
// TestConfigDocsAreCurrent fails until then.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/sources"

	// The plugins kbops is built with (cmd/kbops/plugins.go), so that the
	// reference lists their settings.
	_ "github.com/kbops/kbops/sources/folder"
	_ "github.com/kbops/kbops/sources/gitloc"
	_ "github.com/kbops/kbops/sources/html"
	_ "github.com/kbops/kbops/sources/httploc"
	_ "github.com/kbops/kbops/sources/markdown"
	_ "github.com/kbops/kbops/sources/pdf"
	_ "github.com/kbops/kbops/sources/tickets"
)

func main() {
	// go generate runs in pipeline/config; the repository root is two up.
	root := filepath.Join("..", "..")
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	files := map[string]string{
		filepath.Join(root, config.DocsFile):     config.Reference(sources.Default),
		filepath.Join(root, config.TemplateFile): config.TemplateSource(),
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
