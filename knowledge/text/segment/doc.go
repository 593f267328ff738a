// Package segment cuts extracted sections into retrieval-sized units.
//
// Structure comes first: a section is its heading path, and that path is
// the unit's identity (knowledge.MakeID), so segmentation never renames a
// section that fits. A section longer than Options.Max is split at block
// boundaries into parts of about Options.Target characters; part n > 1
// gets the heading "<last heading> (n)", which stays the same as long as
// the section's own text does, whatever happens elsewhere in the document.
// Tables, fenced code blocks and numbered procedures are never split; a
// paragraph longer than Target is split between sentences. Sentence
// splitting knows CJK full stops (。！？) and common abbreviations (e.g.,
// i.e., z.B., Nr., etc.).
package segment
