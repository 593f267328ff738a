// Package all registers every built-in source plugin with sources.Default:
// the folder, http and git locations and the pdf, html, markdown and
// tickets extractors. Programs and tests that read sources import it for
// its side effect:
//
//	import _ "github.com/kbops/kbops/sources/all"
//
// A new plugin adds its import line here and nothing else outside its own
// folder (see docs/sources.md).
package all

import (
	_ "github.com/kbops/kbops/sources/folder"
	_ "github.com/kbops/kbops/sources/gitloc"
	_ "github.com/kbops/kbops/sources/html"
	_ "github.com/kbops/kbops/sources/httploc"
	_ "github.com/kbops/kbops/sources/markdown"
	_ "github.com/kbops/kbops/sources/pdf"
	_ "github.com/kbops/kbops/sources/tickets"
)
