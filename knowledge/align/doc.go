// Package align finds translation siblings: the units of different-language
// editions of one manual that say the same thing ("4.1 Charging the
// battery" in the English user manual, "4.1 Akku laden" in the German
// one). Search uses them to bring, for a hit in one language, the unit
// that says the same in the language asked for.
//
// Editions are not declared anywhere: two manuals of one product in two
// languages are compared unit by unit on what a translation keeps —
// section numbers, the place in the document (page, depth), the length
// relative to the whole, and the words and numbers that are not translated
// (part numbers, codes, names, values) — and a pair of documents counts as
// editions only when most of the smaller one finds a counterpart. The
// package is free of I/O.
package align
