package knowledge

import "maps"

// Change says what Revise did to a unit.
type Change int

// Changes.
const (
	Unchanged Change = iota // nothing to write
	Added                   // new unit, version 1
	Changed                 // content changed, version +1
	Retired                 // source section gone, version +1
	Touched                 // provenance or ownership changed, content and version did not
)

func (c Change) String() string {
	return [...]string{"unchanged", "added", "changed", "retired", "touched"}[c]
}

// Revise returns the unit to store when next was freshly extracted and prev
// is what the repository holds (nil if nothing). The content hash of next is
// computed here. Content changes bump the version by exactly one; unchanged
// content never does, and then prev is returned as it was, fetch time and
// source hash included, so the file does not change. A new owner, source
// URI, locator or concept list is a content change (see ComputeHash): it
// is reviewed like an edit of the text. When only the document key, a
// local file: URI or the occurrence counts and dates differ, those are updated
// without a version bump (Touched).
func Revise(prev *Unit, next Unit) (Unit, Change) {
	next.Body = NormalizeBody(next.Body)
	next.ContentHash = ComputeHash(next)
	if prev == nil {
		next.Version = 1
		return next, Added
	}
	if prev.ContentHash != next.ContentHash {
		next.Version = prev.Version + 1
		return next, Changed
	}
	out := *prev
	out.Source.Document = next.Source.Document
	out.Source.URI = next.Source.URI // equal hashes: the same, or a local file: URI that moved
	out.Occurrences = next.Occurrences
	out.FirstSeen, out.LastSeen, out.SeenIn = next.FirstSeen, next.LastSeen, next.SeenIn
	if out.Occurrences == prev.Occurrences && out.Source.Document == prev.Source.Document && out.Source.URI == prev.Source.URI &&
		out.FirstSeen == prev.FirstSeen && out.LastSeen == prev.LastSeen && maps.Equal(out.SeenIn, prev.SeenIn) {
		return *prev, Unchanged
	}
	return out, Touched
}

// Retire marks u retired (its source section is gone) with a new version.
// Retiring a retired unit changes nothing.
func Retire(u Unit) (Unit, Change) {
	if u.Status == StatusRetired {
		return u, Unchanged
	}
	u.Status = StatusRetired
	u.Version++
	u.ContentHash = ComputeHash(u)
	return u, Retired
}
