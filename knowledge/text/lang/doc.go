// Package lang tells the language of a section of text.
//
// It is a compact detector written for kbops rather than a library: the
// pipeline needs ten languages (zh, ja, ko by script; ru and ar by script;
// en, de, es, fr, pt by function words and telltale letters), must run on
// every section of every document, and must stay small in memory. N-gram
// libraries such as lingua-go load hundreds of megabytes of models; this
// one holds a few hundred words. It answers "" when unsure, so that the
// caller can fall back to the source's declared language.
package lang
