// Package release puts the approved knowledge on main into Weaviate, the
// one way every command does it: `kbops publish`, reindex, rollback, the
// scheduled publish job of `kbops serve`, the Weaviate part of `kbops
// forget` and `kbops search` all open Weaviate and its targets here.
//
// A publish run loads main's approved snapshot, computes the glossary
// terms of this run from the termbase at main, opens every target (one per
// access level with weaviate.split_by_access), reconciles and verifies
// each, and records what is live in .kbops/published.json. Callers take
// the publish lock and write the run report; this package does neither, so
// a manual and a scheduled run differ only in who calls.
package release
