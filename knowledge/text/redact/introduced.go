package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Introduced returns the names that texts give for people without any
// field saying so: who writes ("my name is Jane Doe", "Jürgen Müller
// here"), who is greeted ("Hi Jane,", "Dear Mr Doe,"), who signs ("Best
// regards,\nJane Doe") and who is labelled ("Name: Jane Doe", "From: Jane
// Doe <…>"). Each name is one to three capitalised words; a run holding a
// word such as "Customer", "Support", "Team" or "The" is no name, so
// "Dear Customer Support Team," and "Best regards, The VF-200 Team" give
// nothing. Scripts without letter case (Chinese, Japanese) are not
// searched.
//
// The result holds personal data: hand it to Learn or NewNames, never to
// a log.
func Introduced(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, t := range texts {
		if t == "" {
			continue
		}
		lower := asciiLower(t)
		findIntroductions(t, lower, add)
		findLineNames(t, lower, add)
	}
	return out
}

// asciiLower lower-cases ASCII letters only, so that byte offsets in the
// result are those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// introStrong introduce a name wherever they stand; introWeak ("I am")
// also introduce other things ("I am Getting an error"), so a name after
// them needs two words or a comma, "here" or "from" right after it.
var (
	introStrong = []string{"my name is", "mein name ist", "ich heiße", "ich heisse", "je m'appelle", "mon nom est",
		"me llamo", "mi nombre es", "меня зовут", "meu nome é", "o meu nome é", "me chamo", "chamo-me", "mi chiamo", "il mio nome è"}
	introWeak = []string{"i am", "i'm", "this is", "ich bin", "hier ist", "hier spricht", "je suis", "ici", "soy", "eu sou", "sou"}
)

// trigger is a phrase that introduces a name.
type trigger struct {
	phrase string
	weak   bool
}

// triggers are introStrong and introWeak by their first word, so that
// one pass over the words of a text finds them all.
var triggers = func() map[string][]trigger {
	m := map[string][]trigger{}
	for k, list := range [][]string{introStrong, introWeak} {
		for _, p := range list {
			w := p[:letterEnd(p, 0)]
			m[w] = append(m[w], trigger{p, k == 1})
		}
	}
	return m
}()

// hereWords follow a name that introduces its writer ("Jane Doe here").
var hereWords = map[string]bool{"here": true, "hier": true, "aquí": true, "ici": true, "aqui": true}

// letterEnd returns the end of the letters at s[i:].
func letterEnd(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			break
		}
		i += n
	}
	return i
}

func findIntroductions(t, lower string, add func(string)) {
	for i := 0; i < len(t); {
		r, n := utf8.DecodeRuneInString(t[i:])
		if !unicode.IsLetter(r) {
			i += n
			continue
		}
		we := letterEnd(lower, i)
		w := lower[i:we]
		if ts := triggers[w]; ts != nil && !isAlnum(prevRune(t, i)) {
			for _, tr := range ts {
				if strings.HasPrefix(lower[i:], tr.phrase) && unicode.IsSpace(nextRune(t, i+len(tr.phrase))) {
					introducedAt(t, lower, i+len(tr.phrase), tr.weak, add)
					break
				}
			}
		}
		if hereWords[w] && i > 0 && t[i-1] == ' ' {
			// "Jürgen Müller here.", "Hi, Peter O'Neil here": the name is
			// the whole clause before "here".
			if r := nextRune(t, we); r == 0 || strings.ContainsRune(".,!;\n", r) {
				s := skipSpace(t, strings.LastIndexAny(t[:i], ",.!:;\n")+1)
				if words, end := nameRun(t, s); len(words) > 0 && end == i-1 {
					add(strings.Join(words, " "))
				}
			}
		}
		i = we
	}
}

// introducedAt reads the name after a trigger ending at p.
func introducedAt(t, lower string, p int, weak bool, add func(string)) {
	words, end := nameRun(t, skipSpace(t, p))
	if len(words) == 0 {
		return
	}
	if end+1 < len(t) && t[end] == ' ' && isDigit(t[end+1]) {
		return // "Windows Server 2019": a product and its version
	}
	if weak && len(words) < 2 && !followedBy(t, lower, end, ",", " here", " from", " von", " de ", " aus") {
		return
	}
	add(strings.Join(words, " "))
}

// greetings open a message; a name after them must end the line or be
// followed by a comma, "!" or ":".
var greetings = []string{"hi", "hello", "hey", "dear", "good morning", "good afternoon", "good evening",
	"hallo", "guten tag", "guten morgen", "liebe", "lieber", "sehr geehrte", "sehr geehrter", "moin", "servus",
	"bonjour", "bonsoir", "salut", "cher", "chère", "hola", "buenos días", "buenas tardes", "estimado", "estimada",
	"querido", "querida", "привет", "здравствуйте", "уважаемый", "уважаемая", "olá", "ola", "oi", "bom dia", "boa tarde", "prezado", "prezada", "caro", "cara", "ciao", "gentile"}

// signOffs close a message; the name follows on the same line after a
// comma, or alone on the next line.
var signOffs = []string{"best regards", "kind regards", "warm regards", "regards", "best wishes", "best", "thanks",
	"thank you", "many thanks", "cheers", "sincerely", "yours sincerely", "yours truly", "yours", "respectfully",
	"mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "viele grüße", "beste grüße",
	"liebe grüße", "herzliche grüße", "grüße", "gruß", "danke", "vielen dank", "mfg", "lg",
	"cordialement", "bien cordialement", "salutations", "merci", "bien à vous", "amicalement",
	"saludos", "saludos cordiales", "un saludo", "atentamente", "gracias", "muchas gracias",
	"atenciosamente", "cumprimentos", "com os melhores cumprimentos", "obrigado", "obrigada", "abraços",
	"cordiali saluti", "distinti saluti", "grazie"}

// labels name a person at the start of a line.
var labels = []string{"name:", "contact:", "contact person:", "from:", "requester:", "customer:", "reported by:",
	"kontakt:", "ansprechpartner:", "von:", "kunde:", "nom:", "de:", "nombre:", "contacto:", "nome:", "contato:"}

// byFirstWord indexes phrases by their first word.
func byFirstWord(phrases []string) map[string][]string {
	m := map[string][]string{}
	for _, p := range phrases {
		w := p[:letterEnd(p, 0)]
		m[w] = append(m[w], p)
	}
	return m
}

var greetingsBy, labelsBy, signOffsBy = byFirstWord(greetings), byFirstWord(labels), byFirstWord(signOffs)

// findLineNames finds greeted, signing and labelled names: at the start
// of a line, or of a sentence for sign-offs ("… Thanks. Regards, Jane").
func findLineNames(t, lower string, add func(string)) {
	for ls := 0; ls < len(t); {
		le := strings.IndexByte(t[ls:], '\n')
		if le < 0 {
			le = len(t)
		} else {
			le += ls
		}
		s := skipSpace(t, ls)
		first := strings.ToLower(t[s:letterEnd(t, s)])
		if s < le && first != "" {
			if w, ok := lineNameAfter(t, lower, s, le, greetingsBy[first], ",!:"); ok {
				add(w)
			}
			if w, ok := lineNameAfter(t, lower, s, le, labelsBy[first], ",<("); ok {
				add(w)
			}
			for _, so := range signOffsBy[first] {
				if !hasPrefixWord(lower[s:le], so) {
					continue
				}
				rest := strings.TrimSpace(strings.TrimLeft(t[s+len(so):le], ",.!:;- "))
				if rest == "" {
					// The name alone on the next non-empty line.
					if n, ok := aloneOnNextLine(t, le); ok {
						add(n)
					}
				} else if strings.HasPrefix(strings.TrimLeft(t[s+len(so):le], " "), ",") {
					p := s + len(so)
					p = skipSpace(t, p+strings.IndexByte(t[p:le], ',')+1)
					if words, end := nameRun(t, p); len(words) > 0 && strings.TrimRight(t[end:le], " .!\t\r") == "" {
						add(strings.Join(words, " "))
					}
				}
				break
			}
		}
		// A sign-off after a sentence on the same line, ending the line:
		// "… Thank you. Best regards, Jane Doe".
		if c := strings.LastIndex(t[ls:le], ", "); c > 0 {
			c += ls
			if words, end := nameRun(t, c+2); len(words) > 0 && strings.TrimRight(t[end:le], " .!\t\r") == "" && signOffEnds(lower[ls:c]) {
				add(strings.Join(words, " "))
			}
		}
		ls = le + 1
	}
}

// signOffEnds reports whether s ends with a sign-off that starts a
// sentence.
func signOffEnds(s string) bool {
	for _, so := range signOffs {
		if len(s) < len(so)+2 || !strings.EqualFold(s[len(s)-len(so):], so) {
			continue
		}
		if b := s[:len(s)-len(so)]; strings.HasSuffix(b, ". ") || strings.HasSuffix(b, "! ") || strings.HasSuffix(b, "? ") {
			return true
		}
	}
	return false
}

// lineNameAfter matches one of words at t[s:] and a name after it that
// ends the line or is followed by one of the bytes in stops.
func lineNameAfter(t, lower string, s, le int, words []string, stops string) (string, bool) {
	for _, w := range words {
		if !hasPrefixWord(lower[s:le], w) {
			continue
		}
		p := s + len(w)
		if p < le && t[p] != ' ' && t[p] != '\t' && !strings.HasSuffix(w, ":") {
			continue
		}
		names, end := nameRun(t, skipSpace(t, p))
		if len(names) == 0 || end > le {
			return "", false
		}
		rest := strings.TrimLeft(t[end:le], " \t")
		if rest == "" || strings.TrimRight(rest, " \r") == "" || strings.IndexByte(stops, rest[0]) >= 0 {
			return strings.Join(names, " "), true
		}
		return "", false
	}
	return "", false
}

func hasPrefixWord(line, w string) bool {
	if len(line) < len(w) || !strings.EqualFold(line[:len(w)], w) {
		return false
	}
	r := nextRune(line, len(w))
	return strings.HasSuffix(w, ":") || !isAlnum(r)
}

func aloneOnNextLine(t string, le int) (string, bool) {
	for p := le + 1; p < len(t); {
		e := strings.IndexByte(t[p:], '\n')
		if e < 0 {
			e = len(t)
		} else {
			e += p
		}
		line := strings.TrimSpace(t[p:e])
		if line == "" {
			p = e + 1
			continue
		}
		s := skipSpace(t, p)
		words, end := nameRun(t, s)
		if len(words) > 0 && strings.TrimRight(t[end:e], " .,\t\r") == "" {
			return strings.Join(words, " "), true
		}
		return "", false
	}
	return "", false
}

func followedBy(t, lower string, end int, suffixes ...string) bool {
	for _, s := range suffixes {
		if strings.HasPrefix(lower[end:], s) {
			return true
		}
	}
	return end >= len(t) || t[end] == '\n' || t[end] == '.' && (end+1 >= len(t) || t[end+1] == ' ' || t[end+1] == '\n')
}

func skipSpace(t string, i int) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i
}

// titles are skipped before a name ("Dear Mr. Doe", "Sehr geehrte Frau
// Müller"); they are not part of it.
var titles = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "prof": true, "herr": true,
	"frau": true, "m": true, "mme": true, "mlle": true, "monsieur": true, "madame": true, "sr": true, "sra": true,
	"srta": true, "señor": true, "señora": true, "don": true, "doña": true, "dom": true, "dona": true, "sig": true, "signor": true, "signora": true}

// notNames are capitalised words that make a run no name: addressees that
// are roles or organisations, articles and pronouns that start sentences.
var notNames = map[string]bool{
	"customer": true, "customers": true, "support": true, "team": true, "service": true, "services": true, "sir": true,
	"madam": true, "all": true, "everyone": true, "everybody": true, "colleagues": true, "colleague": true, "there": true,
	"folks": true, "friends": true, "partner": true, "partners": true, "user": true, "users": true, "client": true,
	"clients": true, "valued": true, "the": true, "our": true, "your": true, "my": true, "a": true, "an": true,
	"this": true, "that": true, "it": true, "you": true, "we": true, "i": true, "he": true, "she": true, "they": true,
	"store": true, "shop": true, "online": true, "company": true, "department": true, "desk": true, "helpdesk": true,
	"help": true, "technical": true, "tech": true, "care": true, "sales": true, "billing": true, "manager": true,
	"administrator": true, "admin": true, "office": true, "solutions": true, "systems": true, "group": true,
	"inc": true, "ltd": true, "llc": true, "gmbh": true, "corp": true, "corporation": true, "product": true,
	"hello": true, "hi": true, "thanks": true, "thank": true, "regards": true, "best": true, "kind": true,
	"kundenservice": true, "kundendienst": true, "kundensupport": true, "damen": true, "herren": true, "kunde": true,
	"kundin": true, "ich": true, "wir": true, "sie": true, "der": true, "die": true, "das": true, "ihr": true, "ihre": true,
	"equipo": true, "soporte": true, "cliente": true, "clientes": true, "atención": true, "usted": true, "estimado": true,
	"équipe": true, "madame,": true, "vous": true, "nous": true, "je": true, "le": true, "la": true, "les": true,
	"equipe": true, "suporte": true, "atendimento": true, "você": true, "senhor": true, "senhora": true,
	"team,": true, "staff": true, "engineer": true, "engineers": true, "agent": true, "agents": true, "name": true,
	"not": true, "no": true, "yes": true, "please": true, "sorry": true, "good": true, "unable": true, "writing": true,
}

// nameRun reads one to three name words from t[i:] (titles skipped, name
// particles such as "van", "de" allowed between words) and returns them
// and where the run ends. A run of more words, or holding a word of
// notNames, is no name.
func nameRun(t string, i int) ([]string, int) {
	// Titles first.
	for {
		e := wordEnd(t, i)
		w := strings.ToLower(strings.TrimSuffix(t[i:e], "."))
		if e > i && titles[w] {
			if e < len(t) && t[e] == '.' {
				e++
			}
			if e < len(t) && t[e] == ' ' {
				i = skipSpace(t, e)
				continue
			}
		}
		break
	}
	var words []string
	end := i
	for p := i; ; {
		e := wordEnd(t, p)
		w := t[p:e]
		if !isNameWord(w) {
			if len(words) > 0 && nameStop[strings.ToLower(w)] && isParticle(w) && e < len(t) && t[e] == ' ' {
				// "van" in "Ludwig van Beethoven": keep it if a name word follows.
				q := e + 1
				if n := wordEnd(t, q); isNameWord(t[q:n]) {
					words = append(words, w)
					p = q
					continue
				}
			}
			break
		}
		if notName(w) {
			return nil, i
		}
		words = append(words, w)
		end = e
		if len(words) > 4 {
			return nil, i
		}
		if e < len(t) && t[e] == ' ' && e+1 < len(t) {
			p = e + 1
			continue
		}
		break
	}
	// Trailing particles are not part of the name.
	for len(words) > 0 && !isNameWord(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	if len(words) == 0 || len(words) > 3 {
		return nil, i
	}
	return words, end
}

// notNameParts, found inside a word, make it a role, not a name: German
// compounds such as "Kundenserviceteam", "Support-Team".
var notNameParts = []string{"kund", "service", "support", "team", "abteilung", "shop", "store", "desk"}

// notName reports whether a capitalised word is no name: a role or an
// organisation, an article, or a word of a greeting or sign-off.
func notName(w string) bool {
	l := strings.ToLower(w)
	if notNames[l] || signOffSet[l] || greetingSet[l] {
		return true
	}
	for _, p := range notNameParts {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

var signOffSet, greetingSet = wordSet(signOffs), wordSet(greetings)

func wordSet(phrases []string) map[string]bool {
	m := map[string]bool{}
	for _, p := range phrases {
		for _, w := range strings.Fields(p) {
			m[w] = true
		}
	}
	return m
}

func isParticle(w string) bool {
	switch w {
	case "de", "del", "della", "der", "den", "van", "von", "da", "das", "dos", "di", "du", "la", "le", "y", "e", "bin", "ibn", "al":
		return true
	}
	return false
}

// wordEnd returns the end of the word at t[i:]: letters, and apostrophes
// or hyphens between letters.
func wordEnd(t string, i int) int {
	j := i
	for j < len(t) {
		r, n := utf8.DecodeRuneInString(t[j:])
		if unicode.IsLetter(r) {
			j += n
			continue
		}
		if (r == '\'' || r == '-' || r == '’') && j > i {
			if r2 := nextRune(t, j+n); unicode.IsLetter(r2) {
				j += n
				continue
			}
		}
		break
	}
	return j
}

// isNameWord reports whether w is written as a name: a capital, then
// lower-case letters, with capitals only after an apostrophe, a hyphen or
// Mc/Mac ("O'Neil", "Jean-Luc", "McDonald"). Acronyms, product names in
// camel case ("LaserJet") and words with digits are not.
func isNameWord(w string) bool {
	rs := []rune(w)
	if len(rs) < 2 || len(rs) > 30 || !unicode.IsUpper(rs[0]) {
		return false
	}
	lower := 0
	for k := 1; k < len(rs); k++ {
		r := rs[k]
		switch {
		case unicode.IsLower(r):
			lower++
		case unicode.IsUpper(r):
			prev := rs[k-1]
			if prev == '\'' || prev == '-' || prev == '’' {
				continue
			}
			if string(rs[:k]) == "Mc" || string(rs[:k]) == "Mac" {
				continue
			}
			return false
		case r == '\'' || r == '-' || r == '’':
		default:
			return false
		}
	}
	return lower > 0
}
