// Package template holds the section vocabulary of structured knowledge
// and the capture templates built on it.
//
// A section (background, symptom, root cause, steps, …) has one key and a
// heading per language (en, de, es, fr, pt, zh, ja; other languages get the
// English heading). Scenario units made from tickets and notes written from
// a template use the same headings, so a German scenario reads "##
// Ursache" whether it came from a helpdesk export or from an expert.
//
// A template (troubleshooting, spec, faq, micro) is an ordered list of
// sections, some required. Render writes a new expert note for one product
// and language; Check tells which required sections of a written note are
// still empty, which ingest reports as findings.
package template
