package main

// Source plugins register themselves with sources.Default in init(), git
// hosts with githost.Default.
import (
	_ "github.com/kbops/kbops/reviews/githost/all"
	_ "github.com/kbops/kbops/sources/folder"
	_ "github.com/kbops/kbops/sources/gitloc"
	_ "github.com/kbops/kbops/sources/html"
	_ "github.com/kbops/kbops/sources/httploc"
	_ "github.com/kbops/kbops/sources/markdown"
	_ "github.com/kbops/kbops/sources/pdf"
	_ "github.com/kbops/kbops/sources/tickets"
)
