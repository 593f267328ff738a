// Package markup keeps active content out of knowledge units.
//
// Unit titles and bodies are Markdown, and they end up in a search index
// whose clients render them. Text from manuals, notes, web pages and
// tickets is written by others, so it may carry markup that runs code in a
// reader's browser: raw <script>, <iframe>, <svg> or <form> tags, event
// handler attributes (onerror=…), and links or images to javascript:,
// vbscript:, data: or file: URLs. Clean neutralises that markup and Find
// reports it; every extractor cleans its output and unit validation refuses
// what Find reports, so the rule holds for units edited by hand too.
//
// The rule is an allow-list, because a block-list misses the tag or
// attribute nobody thought of:
//
//   - Raw HTML survives only as plain formatting tags (b, em, br, table,
//     img, a, …) whose attributes are all harmless ones (alt, title, width,
//     href and src with a safe URL, …), and as tags HTML does not know
//     with no attribute values and no event handlers ("<tel_num>", "<x/>",
//     "<Your Name>": inert, and common in ticket exports and manuals). Every other "<" that starts a tag, a
//     closing tag, a comment or a declaration is written as "&lt;".
//   - Markdown links and images, reference definitions and autolinks keep
//     their URL only when it is relative or uses http, https, mailto or kb
//     (a link to another unit).
//     Otherwise the URL is removed and the visible text stays: [x](javascript:…)
//     becomes x, ![alt](data:…) becomes alt.
//
// Escaping instead of deleting keeps the text a reader saw: a manual that
// explains "<script>" tags still says so, and nothing around a tag is lost.
// The scan does not know Markdown code spans or code blocks: a "<script>"
// shown as code is escaped as well. That costs a visible "&lt;" in rare
// code samples and buys a rule that cannot be fooled by a code span a
// renderer reads differently.
//
// The package does no I/O.
package markup

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// Problem is one piece of active content in a text.
type Problem struct {
	Offset int    // byte offset in the text
	Line   int    // 1-based line of Offset
	What   string // what was found, e.g. `<script> tag`
}

func (p *Problem) Error() string {
	return fmt.Sprintf("line %d: %s", p.Line, p.What)
}

// Find reports the first active content in s, or nil when there is none.
// Find(Clean(s)) is nil for every s.
func Find(s string) *Problem {
	sc := scanner{src: s}
	sc.run()
	return sc.prob
}

// Clean returns s with its active content neutralised as the package
// documentation describes; text without active content is returned
// unchanged. Clean is idempotent.
func Clean(s string) string {
	// One pass can join text into new markup (removing a link between "<"
	// and "script>"), so passes repeat until nothing changes. Every pass that
	// changes s removes a "<" or shortens s, so this ends; the bound only
	// caps the work on hostile input, which the blunt fallback then makes
	// safe.
	for range 32 {
		sc := scanner{src: s, fix: true}
		sc.run()
		if sc.prob == nil {
			return s
		}
		s = string(sc.out)
	}
	if Find(s) == nil {
		return s
	}
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, "](", "] (")
	return strings.ReplaceAll(s, "]:", "] :")
}

// SafeURL reports whether a link to u is safe in a published unit: a
// relative URL or one with the http, https, mailto or kb scheme (kb:<id>
// links to another unit). u is the URL
// as a browser would read it; HTML entities and Markdown backslash escapes
// must already be decoded.
func SafeURL(u string) bool {
	switch Scheme(u) {
	case "", "http", "https", "mailto", "kb":
		return true
	}
	return false
}

// Scheme returns the lower-cased URL scheme of u as a browser finds it
// (ignoring leading white space and control characters and embedded tabs
// and line breaks), or "" for a relative URL.
func Scheme(u string) string {
	if strings.ContainsAny(u, "\t\n\r") {
		u = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, u)
	}
	for u != "" && u[0] <= ' ' {
		u = u[1:]
	}
	i := strings.IndexAny(u, ":/?#")
	if i <= 0 || u[i] != ':' || !isScheme(u[:i]) {
		return ""
	}
	return strings.ToLower(u[:i])
}

var (
	autolinkRe = regexp.MustCompile(`^<([A-Za-z][A-Za-z0-9+.-]{1,31}):[^\x00-\x20<>]*>`)
	emailRe    = regexp.MustCompile(`^<[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>`)
	// onAttrRe finds what an HTML parser would read as an event handler
	// in an autolink, were the text rendered as HTML instead of Markdown.
	onAttrRe = regexp.MustCompile(`(?i)[/"']on[a-z]*=`)
)

// allowedTags are formatting tags that carry no behaviour of their own.
var allowedTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "blockquote": true, "br": true, "caption": true,
	"cite": true, "code": true, "col": true, "colgroup": true, "dd": true, "del": true,
	"details": true, "dfn": true, "div": true, "dl": true, "dt": true, "em": true,
	"figcaption": true, "figure": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "hr": true, "i": true, "img": true, "ins": true, "kbd": true,
	"li": true, "mark": true, "ol": true, "p": true, "pre": true, "q": true, "s": true,
	"samp": true, "small": true, "span": true, "strong": true, "sub": true, "summary": true,
	"sup": true, "table": true, "tbody": true, "td": true, "tfoot": true, "th": true,
	"thead": true, "tr": true, "tt": true, "u": true, "ul": true, "var": true, "wbr": true,
}

// allowedAttrs are attributes without behaviour; href and src are allowed
// with a safe URL only. id and name are left out: they can overwrite
// global names a page's scripts rely on.
var allowedAttrs = map[string]bool{
	"href": true, "src": true, "alt": true, "title": true, "width": true, "height": true,
	"colspan": true, "rowspan": true, "align": true, "lang": true, "dir": true, "start": true,
	"open": true,
}

type scanner struct {
	src  string
	fix  bool // build out; otherwise stop at the first problem
	out  []byte
	prob *Problem
}

// bad records a problem at offset at; it reports whether scanning goes on.
func (sc *scanner) bad(at int, what func() string) bool {
	if sc.prob == nil {
		sc.prob = &Problem{Offset: at, Line: 1 + strings.Count(sc.src[:at], "\n"), What: what()}
	}
	return sc.fix
}

// limit bounds how far one construct is scanned for its end, so that a
// hostile text of many unfinished links or tags costs little more than
// linear time. What does not end within the limit is treated as active.
const limit = 4096

// prefixLimit bounds the start of a link destination that decides its
// scheme. A destination longer than that without a ":", "/", "?" or "#"
// in it is treated as active.
const prefixLimit = 256

// destSafe reports whether the link destination after "](" or "]:" (s[i]
// is the "(" or ":") is safe. Only the destination's start is read: it
// decides the scheme.
func destSafe(s string, i int) bool {
	j := i + 1
	newline := false
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' && !newline) {
		newline = newline || s[j] == '\n'
		j++
	}
	start, ended := j, false
	pointy := j < len(s) && s[j] == '<'
	if pointy {
		start++
		j++
	}
	depth := 0
scan:
	for ; j < len(s) && j-start < prefixLimit; j++ {
		switch c := s[j]; {
		case pointy && (c == '>' || c == '\n'):
			ended = true
			break scan
		case c == ':' || c == '/' || c == '?' || c == '#' && (j == start || s[j-1] != '&'):
			// What comes before the first of these decides the scheme.
			j++
			ended = true
			break scan
		case pointy:
		case c <= ' ':
			ended = true
			break scan
		case c == '\\' && j+1 < len(s):
			j++
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				ended = true
				break scan
			}
			depth--
		}
	}
	ended = ended || j >= len(s)
	p := s[start:min(j, len(s))]
	if !ended {
		// An entity cut in two would decode to something else.
		if k := strings.LastIndexByte(p, '&'); k >= 0 {
			p = p[:k]
		}
	}
	d := decode(p)
	return SafeURL(d) && (ended || strings.ContainsAny(d, ":/?#"))
}

func (sc *scanner) run() {
	s := sc.src
	if sc.fix {
		sc.out = make([]byte, 0, len(s)+16)
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '<':
			n, ok := sc.angle(i)
			if !ok {
				if !sc.bad(i, func() string { return describeTag(s[i:min(len(s), i+limit)]) }) {
					return
				}
				sc.emit("&lt;")
				i++
				continue
			}
			sc.emit(s[i : i+n])
			i += n
		case s[i] == ']' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == ':'):
			if destSafe(s, i+1) {
				sc.emit(s[i : i+2])
				i += 2
				continue
			}
			n, dest, closed := linkTail(s, i+1)
			if !sc.bad(i, func() string { return fmt.Sprintf("link to %q", shorten(dest)) }) {
				return
			}
			if s[i+1] == ':' {
				// A reference definition: keep the label, drop the URL.
				sc.emit("]:")
				i = i + 2 + n
				continue
			}
			if !closed {
				// Not a well-formed link; dropping the URL is enough.
				sc.emit("]")
				i = i + 2 + n
				continue
			}
			sc.unlink()
			i = i + 2 + n
		default:
			j := i + 1
			for j < len(s) && s[j] != '<' && s[j] != ']' {
				j++
			}
			sc.emit(s[i:j])
			i = j
		}
	}
}

func (sc *scanner) emit(s string) {
	if sc.fix {
		sc.out = append(sc.out, s...)
	}
}

// unlink turns the link whose "]" is about to be written into its text:
// it drops the matching "[" (and the "!" of an image) from the output.
func (sc *scanner) unlink() {
	depth := 0
	for j := len(sc.out) - 1; j >= max(0, len(sc.out)-limit); j-- {
		switch sc.out[j] {
		case ']':
			depth++
		case '[':
			if j > 0 && sc.out[j-1] == '\\' {
				continue
			}
			if depth > 0 {
				depth--
				continue
			}
			k := j
			if k > 0 && sc.out[k-1] == '!' {
				k--
			}
			sc.out = append(sc.out[:k], sc.out[j+1:]...)
			return
		}
	}
}

// angle looks at the "<" at s[i]. It returns the length of a harmless
// construct starting there (an allowed tag, a safe autolink, an e-mail
// autolink, or a lone "<" that starts no markup) and ok; ok is false when
// the "<" must be escaped.
func (sc *scanner) angle(i int) (int, bool) {
	s := sc.src[i:min(len(sc.src), i+limit)]
	if len(s) < 2 {
		return 1, true
	}
	c := s[1]
	switch {
	case isAlpha(c):
	case c == '/':
		if len(s) > 2 && isAlpha(s[2]) {
			name, n := tagName(s[2:])
			j := 2 + n
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if (allowedTags[name] || plainTag(name)) && j < len(s) && s[j] == '>' {
				return j + 1, true
			}
		}
		return 0, false
	case c == '!' || c == '?':
		return 0, false
	default:
		return 1, true // "<5 mm", "< 2", "<=": text to every parser
	}
	// The regular expressions run only where they can match: they cost
	// in proportion to the text they are given.
	k := 1
	for k < len(s) && (isAlpha(s[k]) || s[k] >= '0' && s[k] <= '9' || s[k] == '+' || s[k] == '.' || s[k] == '-') {
		k++
	}
	if k < len(s) && s[k] == ':' {
		if m := autolinkRe.FindStringSubmatch(s); m != nil {
			if SafeURL(m[1]+":") && !onAttrRe.MatchString(m[0]) {
				return len(m[0]), true
			}
			return 0, false
		}
	}
	if e := strings.IndexAny(s[1:], "@> \t\n<"); e > 0 && s[1+e] == '@' {
		if m := emailRe.FindString(s); m != "" {
			return len(m), true
		}
	}
	name, n := tagName(s[1:])
	if plainTag(name) {
		return bareWords(s, 1+n)
	}
	if !allowedTags[name] {
		return 0, false
	}
	end, ok := attrs(s, 1+n)
	return end, ok
}

// bareWords reads the rest of a tag HTML does not know from s[j:]. Such an
// element is inert as long as it has no event handler and no attribute
// value: "<tel_num>", "<x/>" in a translation manual, "<Your Name>" in a
// ticket template. It returns the tag's length and whether it is inert.
func bareWords(s string, j int) (int, bool) {
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		switch {
		case j >= len(s):
			return 0, false
		case s[j] == '>':
			return j + 1, true
		case s[j] == '/' && j+1 < len(s) && s[j+1] == '>':
			return j + 2, true
		}
		k := j
		for k < len(s) && k-j < 32 && !isSpace(s[k]) && !strings.ContainsRune("/<>=\"'`", rune(s[k])) {
			k++
		}
		if k == j || k < len(s) && !isSpace(s[k]) && s[k] != '>' && s[k] != '/' || strings.HasPrefix(strings.ToLower(s[j:k]), "on") {
			return 0, false
		}
		j = k
	}
}

// plainTag reports whether name is no element HTML, SVG or MathML gives
// behaviour or a parsing mode to, nor a custom element (those have a "-"
// and may be given behaviour by the page).
func plainTag(name string) bool {
	return name != "" && !allowedTags[name] && !knownElements[name] && !strings.Contains(name, "-")
}

// knownElements are the elements the HTML parser knows, current and
// obsolete, that allowedTags leaves out.
var knownElements = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`html head title base link meta style body article section nav aside
		hgroup header footer address menu main search ruby rt rp rb rtc data time bdi bdo picture
		source iframe embed object param video audio track map area form label input button select
		datalist optgroup option textarea output progress meter fieldset legend dialog script
		noscript template slot canvas applet acronym bgsound dir frame frameset noframes isindex
		keygen listing menuitem nextid noembed plaintext strike xmp basefont big blink center font
		marquee multicol nobr spacer image portal svg math selectedcontent`) {
		m[n] = true
	}
	return m
}()

// attrs reads the attributes of an allowed tag from s[j:] up to its ">";
// it returns the tag's length and whether every attribute is allowed.
func attrs(s string, j int) (int, bool) {
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return 0, false
		}
		if s[j] == '>' {
			return j + 1, true
		}
		if s[j] == '/' && j+1 < len(s) && s[j+1] == '>' {
			return j + 2, true
		}
		k := j
		for k < len(s) && k-j < 32 && !isSpace(s[k]) && s[k] != '/' && s[k] != '>' && s[k] != '=' {
			k++
		}
		name := strings.ToLower(s[j:k])
		if name == "" || !allowedAttrs[name] {
			return 0, false
		}
		j = k
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			continue
		}
		j++
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return 0, false
		}
		var val string
		if q := s[j]; q == '"' || q == '\'' {
			e := strings.IndexByte(s[j+1:min(len(s), j+1+limit)], q)
			if e < 0 {
				return 0, false
			}
			val, j = s[j+1:j+1+e], j+2+e
		} else {
			k := j
			for k < len(s) && k-j < prefixLimit && !isSpace(s[k]) && s[k] != '>' {
				k++
			}
			val, j = s[j:k], k
		}
		if (name == "href" || name == "src") && !SafeURL(html.UnescapeString(val)) {
			return 0, false
		}
		if j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' {
			return 0, false // `a="x"b`: parsers disagree; escape it
		}
	}
}

// linkTail reads what follows "](" or "]:" at s[i] (the "(" or ":"): it
// returns the number of bytes after that character that make up the
// destination and, for "(", an optional title and the closing ")"; the
// destination as written; and whether the closing ")" was found. A
// destination is read up to the scan limit.
func linkTail(s string, i int) (n int, dest string, closed bool) {
	long := false
	j := i + 1
	newline := false
	for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' && !newline) {
		newline = newline || s[j] == '\n'
		j++
	}
	start := j
	if j < len(s) && s[j] == '<' {
		e := strings.IndexAny(s[j+1:min(len(s), j+1+limit)], ">\n")
		if e >= 0 && s[j+1+e] == '>' {
			dest, j = s[j+1:j+1+e], j+2+e
		} else {
			j++
			for j < len(s) && s[j] != '\n' && j-start < limit {
				j++
			}
			dest, long = s[start:j], j < len(s) && s[j] != '\n'
		}
	} else {
		depth := 0
	loop:
		for j < len(s) {
			if j-start >= limit {
				long = true
				break
			}
			switch c := s[j]; {
			case c <= ' ':
				break loop
			case c == '\\' && j+1 < len(s):
				j++
			case c == '(':
				depth++
			case c == ')':
				if depth == 0 {
					break loop
				}
				depth--
			}
			j++
		}
		dest = s[start:j]
	}
	if s[i] != '(' || long {
		return j - i - 1, dest, false
	}
	k := j
	for k < len(s) && isSpace(s[k]) {
		k++
	}
	if k < len(s) && (s[k] == '"' || s[k] == '\'' || s[k] == '(') {
		q := s[k]
		if q == '(' {
			q = ')'
		}
		if e := strings.IndexByte(s[k+1:min(len(s), k+1+limit)], q); e >= 0 {
			k += 2 + e
			for k < len(s) && isSpace(s[k]) {
				k++
			}
		}
	}
	if k < len(s) && s[k] == ')' {
		return k + 1 - i - 1, dest, true
	}
	return j - i - 1, dest, false
}

// decode undoes Markdown backslash escapes and HTML entities, as a
// renderer does before it writes a link's URL.
func decode(s string) string {
	if strings.IndexByte(s, '\\') >= 0 {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
				i++
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	return html.UnescapeString(s)
}

func tagName(s string) (string, int) {
	n := 0
	for n < len(s) && (isAlpha(s[n]) || s[n] >= '0' && s[n] <= '9' || s[n] == '-' || s[n] == '_' || s[n] == '.') {
		n++
	}
	return strings.ToLower(s[:n]), n
}

// describeTag names the markup at the start of s for a message.
func describeTag(s string) string {
	if len(s) > 1 {
		switch s[1] {
		case '!':
			return "HTML comment or declaration"
		case '?':
			return "HTML processing instruction"
		case '/':
			if name, _ := tagName(s[2:]); name != "" {
				return fmt.Sprintf("</%s> tag", name)
			}
		}
	}
	if m := autolinkRe.FindString(s); m != "" {
		return fmt.Sprintf("link to %q", shorten(m[1:len(m)-1]))
	}
	name, n := tagName(s[1:])
	switch {
	case name == "":
		return "HTML markup"
	case knownElements[name]:
		return fmt.Sprintf("<%s> tag", name)
	case strings.Contains(name, "-"):
		return fmt.Sprintf("<%s> custom element", name)
	}
	return fmt.Sprintf("<%s> tag with an attribute that is not allowed (%s)", name, strings.TrimSpace(shorten(s[1+n:])))
}

func shorten(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// isScheme reports whether s has the form of a URL scheme.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-')) {
			return false
		}
	}
	return s != ""
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
