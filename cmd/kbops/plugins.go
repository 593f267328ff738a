package main

// Source plugins register themselves with sources.Default in init().
import _ "github.com/kbops/kbops/sources/all"
