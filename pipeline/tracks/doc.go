// Package tracks sends knowledge units back to their owners for review on
// three tracks:
//
//   - regular: each tier has a review interval (review.intervals in
//     kbops.yaml, days); a unit on main whose last review is older goes
//     back (Sweep, run by the review-due job of `kbops serve`);
//   - triggered: a product event (a firmware release) sends all of a
//     product's units back (`kbops trigger`);
//   - feedback: ratings and comments from the agent front-end send the
//     units concerned back when they cross thresholds (`kbops feedback
//     import`).
//
// The review model voids approvals only when content changes, so "sent
// back" is recorded beside the approvals, not in them: a due file
// due/<unit id>.yaml on the review branch lists the open entries (track,
// reason, since) for the unit's current content hash. An entry is cleared
// either by a new version of the unit (the normal three-stage review of
// the edit) or by the owner confirming that the unit still holds (`kbops
// due confirm`, allowed to whoever may approve its technical stage). The
// confirmation is kept in the file, and the regular track counts the last
// review from max(last approval, last confirmation).
package tracks
