// Package stem reduces words to their Snowball stems, so that keyword
// search finds "Kalibrierung" for "kalibrieren" and "calibration" for
// "calibrate". Publishing writes the stems of a unit's title and body,
// stemmed in the unit's language, next to the text; search sends the
// stems of the query under every stemmer (the query's language is not
// known), so a front-end that applies the same Snowball stemmers gets the
// same matches. Free of I/O.
package stem
