package redact

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The detectors below are hand-written scanners rather than regular
// expressions: a ticket export can be gigabytes, and one linear pass with
// cheap byte tests is several times faster than running a handful of
// unanchored expressions over every field. They also make the "is this a
// date, a version or a part number?" decisions explicit.

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// prevRune returns the rune before byte offset i, or 0 at the start.
func prevRune(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// nextRune returns the rune at byte offset i, or 0 at the end.
func nextRune(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// ---- e-mail ----

func isLocalRune(r rune) bool {
	return isAlnum(r) || strings.ContainsRune("._%+-!#$&'*/=?^`{|}~", r)
}

func isDomainRune(r rune) bool { return isAlnum(r) || r == '.' || r == '-' }

func findEmails(text string, add func(Kind, int, int)) {
	for at := 0; at < len(text); {
		i := strings.IndexByte(text[at:], '@')
		if i < 0 {
			return
		}
		i += at
		at = i + 1
		s := i
		for s > 0 {
			r, n := utf8.DecodeLastRuneInString(text[:s])
			if !isLocalRune(r) {
				break
			}
			s -= n
		}
		for s < i && (text[s] == '.' || text[s] == '\'') {
			s++
		}
		e := i + 1
		for e < len(text) {
			r, n := utf8.DecodeRuneInString(text[e:])
			if !isDomainRune(r) {
				break
			}
			e += n
		}
		for e > i+1 && (text[e-1] == '.' || text[e-1] == '-') {
			e--
		}
		if s == i || e == i+1 {
			continue
		}
		dom := text[i+1 : e]
		dot := strings.LastIndexByte(dom, '.')
		if dot <= 0 || dot == len(dom)-1 {
			continue
		}
		tld := dom[dot+1:]
		if utf8.RuneCountInString(tld) < 2 || strings.ContainsAny(tld, "0123456789") {
			continue
		}
		add(Email, s, e)
		at = e
	}
}

// ---- IBAN ----

// ibanLen is the IBAN length per country (ISO 13616 registry). Countries
// not listed are accepted with any length from 15 to 34 that checks out.
var ibanLen = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

func isASCIILetter(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

func upper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}

func findIBANs(text string, add func(Kind, int, int)) {
	for i := 0; i+15 <= len(text); i++ {
		if !isASCIILetter(text[i]) || !isASCIILetter(text[i+1]) || !isDigit(text[i+2]) || !isDigit(text[i+3]) {
			continue
		}
		if isAlnum(prevRune(text, i)) {
			continue
		}
		// Collect up to 34 alphanumerics, allowing single spaces between
		// groups as printed IBANs have.
		var compact []byte
		var ends []int // ends[k] = byte offset after the k+1-th character
		j := i
		for j < len(text) && len(compact) < 34 {
			c := text[j]
			if c == ' ' && j+1 < len(text) && len(compact) > 0 && text[j-1] != ' ' {
				j++
				continue
			}
			if !isDigit(c) && !isASCIILetter(c) {
				break
			}
			compact = append(compact, upper(c))
			j++
			ends = append(ends, j)
		}
		country := string(compact[:2])
		try := func(n int) bool {
			if n > len(compact) || n < 15 {
				return false
			}
			end := ends[n-1]
			if isAlnum(nextRune(text, end)) || !mod97(compact[:n]) {
				return false
			}
			add(IBAN, i, end)
			i = end - 1
			return true
		}
		if n, ok := ibanLen[country]; ok {
			try(n)
			continue
		}
		if !isASCIILetter(text[i]) || text[i] < 'A' || text[i] > 'Z' {
			continue // unknown countries only in upper case, to spare words
		}
		for n := len(compact); n >= 15; n-- {
			if try(n) {
				break
			}
		}
	}
}

// mod97 is the ISO 7064 check of an IBAN: move the first four characters
// to the end, letters become 10..35, the number mod 97 must be 1.
func mod97(iban []byte) bool {
	rem := 0
	step := func(c byte) bool {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range iban[4:] {
		if !step(c) {
			return false
		}
	}
	for _, c := range iban[:4] {
		if !step(c) {
			return false
		}
	}
	return rem == 1
}

// ---- numbers: cards, phones, IPv4 ----

// phoneWords introduce a phone number; a bare digit run right after one
// is a phone number even without the usual grouping.
var phoneWords = []string{
	"tel", "phone", "mobile", "cell", "call", "fax", "whatsapp", "handy", "telefon", "rufnummer",
	"teléfono", "telefono", "móvil", "movil", "celular", "téléphone", "telephone", "portable",
	"telefone", "telemóvel", "telefoon", "телефон", "тел", "电话", "手机", "電話", "携帯", "전화",
	"هاتف", "جوال", "número", "numero", "nummer", "number", "no.", "nr.", "#",
}

// versionWords introduce a version number, which looks like an IPv4
// address when it has four parts.
var versionWords = []string{"version", "versión", "versão", "ver", "v", "firmware", "fw", "build", "release", "update", "patch", "sp"}

func hasWordBefore(text string, i int, words []string, window int) bool {
	s := i - window
	if s < 0 {
		s = 0
	}
	for s > 0 && !utf8.RuneStart(text[s]) {
		s--
	}
	before := strings.ToLower(text[s:i])
	before = strings.TrimRight(before, " :.=\t\u00a0")
	for _, w := range words {
		if strings.HasSuffix(before, w) {
			k := len(before) - len(w)
			if k == 0 || !isAlnum(prevRune(before, k)) {
				return true
			}
		}
	}
	return false
}

// phoneWordNear reports whether a phone word is among the few words before
// offset i ("Tel.: ", "call me at ", "unter der Nummer ").
func phoneWordNear(text string, i int) bool {
	s := i - 24
	if s < 0 {
		s = 0
	}
	for s > 0 && !utf8.RuneStart(text[s]) {
		s--
	}
	before := strings.ToLower(text[s:i])
	for _, w := range phoneWords[:len(phoneWords)-7] { // the generic "number" words only right before
		if k := strings.LastIndex(before, w); k >= 0 && (k == 0 || !isAlnum(prevRune(before, k))) {
			return true
		}
	}
	return hasWordBefore(text, i, phoneWords[len(phoneWords)-7:], 12)
}

func isRunByte(b byte) bool {
	return isDigit(b) || b == ' ' || b == '-' || b == '.' || b == '(' || b == ')' || b == '/'
}

func findNumbers(text string, cards, phones, ips bool, add func(Kind, int, int)) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		start := isDigit(c) || (c == '+' || c == '(') && i+1 < len(text) && (isDigit(text[i+1]) || text[i+1] == ' ' && i+2 < len(text) && isDigit(text[i+2]))
		if !start {
			continue
		}
		p := prevRune(text, i)
		if isAlnum(p) && !isCJK(p) || p == '_' || p == '-' || p == '.' || p == '+' || p == '/' || p == '\\' || p == '#' {
			// inside a word, code, part number, version or path; skip the run
			for i+1 < len(text) && (isRunByte(text[i+1]) && text[i+1] != ' ' || isDigit(text[i+1])) {
				i++
			}
			continue
		}
		if ips && isDigit(c) {
			if e, ok := ipv4At(text, i); ok {
				if !hasWordBefore(text, i, versionWords, 12) {
					add(IP, i, e)
				}
				i = e - 1
				continue
			}
		}
		// Extend over digits and single separators.
		j := i + 1
		for j < len(text) {
			b := text[j]
			if isDigit(b) {
				j++
				continue
			}
			if isRunByte(b) && j+1 < len(text) {
				nb := text[j+1]
				if isDigit(nb) || b == ' ' && nb == '(' || b == ')' && nb == ' ' || b == ' ' && nb == '/' || b == '/' && nb == ' ' ||
					b == ' ' && nb == '-' || b == '-' && nb == ' ' {
					j++
					continue
				}
			}
			break
		}
		if j < len(text) && text[j] == ')' && strings.IndexByte(text[i:j], '(') >= 0 {
			j++ // "(555)" at the end
		}
		end := j
		for end > i && !isDigit(text[end-1]) && text[end-1] != ')' {
			end--
		}
		cs := i
		cand := text[cs:end]
		next := nextRune(text, end)
		i = j - 1
		if isAlnum(next) && !isCJK(next) || next == '_' || next == '%' || next == ':' && end+1 < len(text) && isDigit(text[end+1]) {
			continue // "12 mm", "3.5GHz", "10:30"
		}
		digits := 0
		for k := 0; k < len(cand); k++ {
			if isDigit(cand[k]) {
				digits++
			}
		}
		if cards && digits >= 13 && digits <= 19 && isCard(cand) {
			add(Card, cs, end)
			continue
		}
		if phones && isPhone(text, cs, cand, digits) {
			add(Phone, cs, end)
		}
	}
}

// ipv4At parses a dotted quad at text[i:] and returns its end.
func ipv4At(text string, i int) (int, bool) {
	j := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if j >= len(text) || text[j] != '.' {
				return 0, false
			}
			j++
		}
		s, v := j, 0
		for j < len(text) && isDigit(text[j]) && j-s < 4 {
			v = v*10 + int(text[j]-'0')
			j++
		}
		if j == s || j-s > 3 || v > 255 || j-s > 1 && text[s] == '0' {
			return 0, false
		}
	}
	if j < len(text) && (isDigit(text[j]) || text[j] == '.' && j+1 < len(text) && isDigit(text[j+1])) {
		return 0, false // a fifth part: a version, not an address
	}
	if isAlnum(nextRune(text, j)) {
		return 0, false
	}
	return j, true
}

// isCard reports whether cand is a payment card number: 13-19 digits,
// only spaces or dashes between groups, a known issuer prefix and a valid
// Luhn check digit.
func isCard(cand string) bool {
	var ds []byte
	for k := 0; k < len(cand); k++ {
		c := cand[k]
		switch {
		case isDigit(c):
			ds = append(ds, c)
		case c == ' ' || c == '-':
		default:
			return false
		}
	}
	if !issuerLength(string(ds)) {
		return false
	}
	sum, double := 0, false
	for k := len(ds) - 1; k >= 0; k-- {
		d := int(ds[k] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// issuerLength reports whether the number's prefix belongs to a card
// network that issues numbers of its length.
func issuerLength(ds string) bool {
	n := len(ds)
	p2 := int(ds[0]-'0')*10 + int(ds[1]-'0')
	p4 := p2*100 + int(ds[2]-'0')*10 + int(ds[3]-'0')
	switch {
	case ds[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p2 == 35, p2 == 62, p2 == 65, p4 == 6011, p4 >= 6440 && p4 <= 6499, p4 >= 2200 && p4 <= 2204:
		return n >= 16
	case p2 == 36 || p2 == 38 || p2 == 30:
		return n >= 14
	}
	return false
}

// isPhone decides whether a digit run is a phone number. Accepted shapes:
// international (+ or 00 prefix), an area code in parentheses, the North
// American 3-3-4 grouping, a national number with a trunk 0 and grouping,
// or any 7-15 digit run right after a phone word. Dates, times, versions
// and dotted numbers of other shapes are refused.
func isPhone(text string, at int, cand string, digits int) bool {
	if digits < 7 || digits > 15 {
		return false
	}
	groups := strings.FieldsFunc(cand, func(r rune) bool { return r < '0' || r > '9' })
	if isDateLike(cand, groups) {
		return false
	}
	hasSep := len(groups) > 1
	dots := strings.Count(cand, ".")
	if dots > 0 {
		// 555.123.4567 is a phone; 10.0.19045.3803 and 24.12.2023 are not.
		if !(len(groups) == 3 && len(groups[0]) == 3 && len(groups[1]) == 3 && len(groups[2]) == 4) {
			return false
		}
		return true
	}
	switch {
	case cand[0] == '+':
		return digits >= 8
	case strings.HasPrefix(cand, "00") && hasSep && digits >= 10:
		return true
	case strings.Contains(cand, "(") && strings.Contains(cand, ")") && hasSep:
		return true
	case len(groups) == 3 && len(groups[0]) == 3 && len(groups[1]) == 3 && len(groups[2]) == 4:
		return true
	case cand[0] == '0' && hasSep && digits >= 9 && digits <= 12 && len(groups[0]) >= 2 && len(groups[0]) <= 5:
		return true
	}
	return phoneWordNear(text, at)
}

func isDateLike(cand string, groups []string) bool {
	if len(groups) != 3 {
		return false
	}
	if strings.ContainsAny(cand, " ()+") {
		return false
	}
	a, b, c := len(groups[0]), len(groups[1]), len(groups[2])
	return a == 4 && b <= 2 && c <= 2 || a <= 2 && b <= 2 && (c == 2 || c == 4)
}

// ---- IPv6 ----

func isHexOrColon(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' || b == ':' || b == '.'
}

func findIPv6(text string, add func(Kind, int, int)) {
	for i := 0; i < len(text); i++ {
		if !isHexOrColon(text[i]) {
			continue
		}
		p := prevRune(text, i)
		j := i
		for j < len(text) && isHexOrColon(text[j]) {
			j++
		}
		s, e := i, j
		if isAlnum(p) || p == '_' {
			i = j
			continue
		}
		if isAlnum(nextRune(text, e)) {
			i = j
			continue
		}
		for e > s && text[e-1] == '.' {
			e--
		}
		if s+1 < e && text[s] == ':' && text[s+1] != ':' {
			s++
		}
		if e-1 > s && text[e-1] == ':' && text[e-2] != ':' {
			e--
		}
		cand := text[s:e]
		i = j
		if strings.Count(cand, ":") < 2 || cand == "::" || !strings.ContainsAny(cand, "0123456789") {
			continue
		}
		a, err := netip.ParseAddr(cand)
		if err != nil || !a.Is6() {
			continue
		}
		add(IP, s, e)
	}
}
