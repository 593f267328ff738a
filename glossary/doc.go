// Package glossary is the multilingual termbase of kbops and the
// terminology pass of the ingestion pipeline.
//
// A Termbase holds concepts; each concept has terms per locale (BCP 47,
// with regional variants such as es-ES and es-MX) and every term a status:
// preferred, admitted, deprecated or forbidden. Termbases are imported from
// TBX-Basic v3 (DCA and DCT styles), TBX v2 martif, CSV and TSV in any
// common encoding (ImportFile), merged into the termbase of a knowledge
// repository (Termbase.Merge), kept there as one canonical TBX file
// (Load, Save) and exported as TBX or as the CSV/TSV glossaries translation
// services take (WriteTermSets, WritePairFiles).
//
// A Matcher, built once from a termbase, finds every term of every locale in
// a text in one pass. Its Map method is the per-unit mapping pass: the
// concept ids a unit mentions, and findings for deprecated, forbidden and
// wrong-variant terms, for a concept written several ways, and for concepts
// without a term in a target language. CrossLanguageTerms and ExpandQuery
// give the terms of a unit's concepts in every target language, so that a
// question asked in one language finds knowledge written in another.
//
// The formats, the storage format, the matching rules and the finding codes
// are described in docs/glossary.md.
package glossary
