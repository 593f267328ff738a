// Package knowledge is the domain model of kbops: knowledge units, their
// canonical file format, identity, content hashing, versioning and
// validation.
//
// A unit is the smallest piece of knowledge that can be checked and updated
// on its own. It lives in the knowledge repository as one Markdown file with
// YAML front matter. The serialisation is canonical: fields are written in a
// fixed order with normalised line endings, so that a unit that did not
// change re-serialises to identical bytes and git shows no diff.
//
// The package does no I/O; callers read and write the bytes.
package knowledge
