// Package forget erases a person's data — found by e-mail address, name or
// ticket id — from everywhere kbops keeps it: the knowledge repository
// (units, approval records, due files, OWNERS, glossary and any other
// file of the branch's tree), the local state under .kbops (caches,
// document state, run reports, feedback, health snapshots) and the
// Weaviate collections behind the configured alias.
//
// What it reports are counts and places, never the values. Running it
// again finds nothing and changes nothing.
//
// In the repository, values are replaced by "(erased)" in a new commit:
// on the review branch by default (a reviewed change, merged like any
// other), or on main with Now. A unit whose id holds the value, or a
// scenario unit drawn only from an erased ticket, is deleted. Old commits
// still hold the old blobs: removing them needs a history rewrite of the
// knowledge repository and of every clone, a separate, manual operation
// (see docs/operations.md). In Weaviate, every object holding the value is
// deleted at once; it returns, redacted, with the next publish after the
// redacted unit is approved.
package forget
