// Package mine proposes bilingual term pairs from translation siblings:
// units of different-language editions of one manual that knowledge/align
// paired. A candidate term of one side and one of the other that occur in
// the same aligned pairs, and rarely apart, are likely translations of
// each other ("battery" and "Akku", "debug interface" and "调试接口").
//
// The proposals are concepts for the termbase, each with its evidence
// (the unit pairs, counts and a score) in its notes; they reach search
// only through the termbase's review (docs/glossary.md, "Mined terms").
// Nothing here reads or writes files.
package mine
