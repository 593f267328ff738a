// Package contextlib reads the context library of a knowledge repository
// (context.yaml at its root): the markets units may be written for, with
// their regulations, units of measure and whether each core unit needs an
// adaptation there, and the industries and audiences. It checks the
// context fields of units against it and finds the core units that lack
// a required adaptation. No I/O: callers pass the file's bytes.
package contextlib
