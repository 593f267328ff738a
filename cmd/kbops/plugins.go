package main

// Source plugins register themselves with sources.Default in init(), git
// hosts with githost.Default.
import (
	_ "github.com/kbops/kbops/reviews/githost/all"
	_ "github.com/kbops/kbops/sources/all"
)
