// Package health computes the health report of a knowledge base, per
// product and per owner: units, how many are stale, median age since
// review, glossary coverage, pending reviews and their age, open
// conflicts, feedback score and the occurrence counts of scenario units.
// It renders the report as JSON and as a static, self-contained HTML page
// with inline SVG charts (no external assets), for people who would rather
// look than read.
package health
