// Package reviews is the three-stage review of knowledge changes, kept in
// git: who may approve what (OWNERS), approval records stored in the
// knowledge repository next to the units they approve, and verification
// that anyone can run from a clone, offline.
//
// Stages run in order: technical (is it right? — the unit's owner),
// expression (is it clear for its market? — a reviewer of its language),
// consistency (does it agree with the rest? — a consistency reviewer). An
// approval names the exact content hash it approved, so any later edit of
// the unit voids it. See docs/review-model.md.
package reviews
