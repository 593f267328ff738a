// Package tickets is the extractor for helpdesk ticket exports (CSV, JSON
// arrays and JSON Lines): it turns solved tickets into scenario sections
// (Background, Symptom, Root cause, Resolution, Prevention), removes
// personal data before anything leaves it, and merges tickets about the
// same problem into one scenario with an occurrence count.
//
// Exports are read as streams. Memory is set by the number of problems
// held for matching (see Options.Window) plus about 40 bytes per scenario
// and per ticket without an id; scenario texts wait in a temporary file
// until the end of the export, when the final occurrence counts are known.
//
// The registered extractor for format "tickets" detects the helpdesk
// layout (preset) from the header or the first record; a source with a
// field mapping is read by New(opts) with opts from OptionsFromSpec.
// docs/tickets.md documents the options and presets.
package tickets
