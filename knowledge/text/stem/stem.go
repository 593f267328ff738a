package stem

import (
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/spanish"
	"golang.org/x/text/unicode/norm"
)

// Languages are the primary language subtags with a stemmer, in the
// order Query applies them.
var Languages = []string{"en", "de", "es", "fr", "it", "nl", "pt"}

var stemmers = map[string]func(*snowballstem.Env) bool{
	"en": english.Stem, "de": german.Stem, "es": spanish.Stem, "fr": french.Stem,
	"it": italian.Stem, "nl": dutch.Stem, "pt": portuguese.Stem,
}

// Has reports whether lang (a primary subtag) has a stemmer.
func Has(lang string) bool { return stemmers[lang] != nil }

// Words splits s as Weaviate's word tokenizer does: runs of letters and
// digits, lower-cased.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Word returns the stem of one lower-case word in lang, with diacritics
// removed after stemming ("batería" and "bateria" give one stem, and so
// do the cognates "calibración" and "calibration"); a word of a language
// without a stemmer, or with a character outside Latin script, is only
// folded.
func Word(w, lang string) string {
	if f := stemmers[lang]; f != nil && latin(w) {
		env := snowballstem.NewEnv(w)
		f(env)
		w = env.Current()
	}
	return fold(w)
}

// Text returns the stems of the words of s in lang, separated by spaces,
// leaving out the function words of the language ("the", "der", "de"),
// which would otherwise match every unit. "" when lang has no stemmer:
// such units are found by their text alone.
func Text(s, lang string) string {
	if !Has(lang) {
		return ""
	}
	stop := stopwords[lang]
	var b strings.Builder
	for _, w := range Words(s) {
		if stop[w] || !latin(w) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Word(w, lang))
	}
	return b.String()
}

// Query returns the distinct stems of the words of q under every stemmer
// of Languages, separated by spaces, in first-seen order; "" when q has no
// word in Latin script. Function words are kept: the published stems have
// none, so they match nothing.
func Query(q string) string {
	var out []string
	for _, w := range Words(q) {
		if !latin(w) {
			continue
		}
		for _, l := range Languages {
			if s := Word(w, l); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return strings.Join(out, " ")
}

// latin reports whether w is written in Latin letters and digits only:
// the stemmers are for those, and CJK text is searched elsewhere.
func latin(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return w != ""
}

func fold(w string) string {
	if isASCII(w) {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
