package lang

import (
	"regexp"
	"strings"
	"unicode"
)

// MinLetters is the least number of letters Detect decides on; shorter
// text gives "" (a heading or a part number says nothing reliable).
const MinLetters = 12

// Resolve returns declared when it is set (a document's or source's
// declared language always wins), else the detected language of text.
func Resolve(declared, text string) string {
	if declared != "" {
		return declared
	}
	return Detect(text)
}

// shortText is the number of letters below which a section's own
// detection yields to its document's language.
const shortText = 200

// DetectIn detects the language of a section of a document whose
// language (detected on the whole text) is docLang: short sections — a
// list of links, a table of part numbers — take the document's language,
// longer ones their own, and docLang when unsure.
func DetectIn(text, docLang string) string {
	if docLang != "" && letters(text) < shortText {
		return docLang
	}
	if l := Detect(text); l != "" {
		return l
	}
	return docLang
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

var urlRe = regexp.MustCompile(`https?://[^\s)\]>"']+|\]\([^)]*\)|` + "`[^`]*`")

// Detect returns the BCP 47 primary language tag of text — one of zh, ja,
// ko, ru, ar, en, de, es, fr, pt — or "" when the text is too short or no
// language is clearly ahead. CJK, Cyrillic and Arabic are told by script
// (kana means Japanese, Hangul Korean, Han alone Chinese); Latin-script
// languages by frequent function words and a few letters only one of them
// uses (ß, ñ, ã, ç …).
func Detect(text string) string {
	// URLs, link targets and inline code say nothing about the language.
	if strings.Contains(text, "://") || strings.Contains(text, "](") || strings.Contains(text, "`") {
		text = urlRe.ReplaceAllString(text, " ")
	}
	var han, kana, hangul, cyr, arab, latin int
	for _, r := range text {
		switch {
		case r < 0x80:
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				latin++
			}
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Arabic, r):
			arab++
		case unicode.IsLetter(r):
			latin++
		}
	}
	cjk := han + kana + hangul
	// One CJK character carries about as much as a word of four Latin
	// letters, and CJK manuals are full of English identifiers: weigh
	// accordingly.
	total := latin + cyr + arab + 4*cjk
	if total < MinLetters && cjk < 4 {
		return ""
	}
	switch {
	case 4*cjk*2 >= total:
		switch {
		case hangul > kana && hangul*3 >= cjk:
			return "ko"
		case kana*20 >= cjk && kana >= 2:
			return "ja"
		case hangul > 0 && han == 0:
			return "ko"
		}
		return "zh"
	case cyr*2 >= total:
		return "ru"
	case arab*2 >= total:
		return "ar"
	case latin*2 >= total:
		return latinLanguage(text)
	}
	return ""
}

type profile struct {
	tag   string
	words map[string]bool
	chars string // letters that suggest the language
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// profiles hold the most frequent function words of each language, words
// that rarely appear in the others. The lists are small on purpose: the
// whole detector takes a few kilobytes.
var profiles = []profile{
	{"en", set("the and of to is in that for with on are be this it as by from or not can you your if when which will has have at an was should must all into than"), ""},
	{"de", set("der die das und ist nicht mit den sie ein eine zu von auf für dem des im sich bei werden wird auch oder wenn kann können durch nach aus einer einen ihr ihre sind zum zur über"), "äöüß"},
	{"es", set("el la los las de que y en un una es por con para del se al como más pero sus su este esta son puede debe si cuando también desde hasta"), "ñ¿¡áíóú"},
	{"fr", set("le la les de des et est un une du en que qui dans pour pas sur au aux par avec ce cette sont vous il elle ne peut doit être si"), "èêàçùœâî"},
	{"pt", set("o a os as de que e do da dos das em um uma para com não por se no na nos nas ao pelo pela mais como são pode deve você"), "ãõçáâêéíóú"},
}

func latinLanguage(text string) string {
	scores := make([]float64, len(profiles))
	words := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		words++
		for i, p := range profiles {
			if p.words[w] {
				scores[i]++
			}
		}
		if words >= 2000 {
			break // enough evidence; keeps Detect linear in small text
		}
	}
	for _, r := range strings.ToLower(text) {
		if r < 0x80 {
			continue
		}
		for i, p := range profiles {
			if strings.ContainsRune(p.chars, r) {
				scores[i] += 0.5
			}
		}
	}
	best, second := -1, -1
	for i := range scores {
		if best < 0 || scores[i] > scores[best] {
			best, second = i, best
		} else if second < 0 || scores[i] > scores[second] {
			second = i
		}
	}
	if scores[best] < 2 || scores[best] < 1.3*scores[second] {
		return ""
	}
	return profiles[best].tag
}
