package glossary

import (
	"strings"

	"golang.org/x/text/language"
)

// CanonicalLocale returns the canonical BCP 47 form of tag: "EN" → "en",
// "zh_cn" → "zh-CN", "es-mx" → "es-MX". A tag that does not parse is
// returned trimmed and lower-cased, so that it still compares equal to
// itself in any case.
func CanonicalLocale(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		return strings.ToLower(tag)
	}
	return t.String()
}

// ValidLocale reports whether tag is a well-formed, known BCP 47 tag.
func ValidLocale(tag string) bool {
	_, err := language.Parse(strings.TrimSpace(tag))
	return err == nil && strings.TrimSpace(tag) != ""
}

// PrimaryLanguage returns the language subtag of a tag: "zh" for "zh-TW".
func PrimaryLanguage(tag string) string {
	return parseLocale(tag).base
}

// locale is a parsed tag with what the fit rules need.
type locale struct {
	tag    string
	base   string // "zh"
	script string // explicit, or implied by the region ("zh-TW" → Hant); "" if open
	region string // explicit only
	// scriptExplicit is true when the tag itself names the script.
	scriptExplicit bool
}

func parseLocale(tag string) locale {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		p, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		return locale{tag: strings.ToLower(strings.TrimSpace(tag)), base: p}
	}
	l := locale{tag: t.String()}
	// Raw gives only the subtags the tag itself spells out; Base and Region
	// would fill in likely values ("und" → "en").
	b, s, r := t.Raw()
	l.base = b.String()
	if rs := r.String(); rs != "ZZ" {
		l.region = rs
	}
	switch ss := s.String(); {
	case ss != "Zzzz":
		l.script, l.scriptExplicit = ss, true
	case l.region != "":
		// A region implies a script through the likely-subtags data:
		// zh-TW → Hant, zh-CN → Hans.
		if is, _ := t.Script(); is.String() != "Zzzz" {
			l.script = is.String()
		}
	}
	return l
}

// Fit scores, from the point of view of a text in some locale, a term of
// another: how well the term's locale suits the text.
const (
	fitOtherLanguage = 0  // a different language altogether
	fitWrongVariant  = -1 // same language, another region or script
)

// fit returns fitOtherLanguage, fitWrongVariant, or a positive score that
// grows with how specific the match is: 4 for the text's own region, 3 for
// its script, 2 for the bare language, 1 for a regional term in a text
// whose region is not known.
func fit(term, text locale) int {
	if term.base != text.base || term.base == "" || term.base == "und" {
		return fitOtherLanguage
	}
	if term.script != "" && text.script != "" && term.script != text.script {
		return fitWrongVariant
	}
	switch {
	case term.region != "":
		switch {
		case text.region == "":
			return 1
		case text.region != term.region:
			return fitWrongVariant
		}
		return 4
	case term.scriptExplicit:
		return 3
	}
	return 2
}
