// Package trackstest builds fixture workspaces for the tests of the
// operations packages (tracks, health, serve, forget): the demo workspace
// of examples/demo, ingested, approved at a chosen time and merged to
// main, with real files and a real git repository.
package trackstest
