// Package sources defines how kbops reads knowledge from the outside world.
//
// Two small plugin kinds meet here, each with its own registry filled by
// the plugins' init functions:
//
//   - A Location lists the documents at a place and opens them: a local
//     folder or glob, HTTP(S) URLs, a git repository.
//   - An Extractor turns the bytes of one document of a format (Markdown,
//     HTML, PDF, ticket exports) into Sections: text with a heading path and
//     a locator.
//
// A source in kbops.yaml (a Spec) names one location and a kind (manuals,
// tickets, notes); the kind decides the default tier and layer and which
// formats are read. Every Location passes the conformance suite in package
// sourcetest.
package sources
