package sources

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/kbops/kbops/knowledge"
)

// checkPublicURL validates public_url: empty, or an absolute http(s) URL
// without user information, query or fragment (a document key and a
// fragment are appended to it).
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return FieldErrorf("public_url", "%q is not an absolute http(s) URL such as https://docs.example.com/manuals/", s)
	}
	if u.User != nil {
		return FieldErrorf("public_url", "%q holds a user name or password; links are shown to customers", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return FieldErrorf("public_url", "%q has a query or fragment; give the base address the document keys follow", s)
	}
	return nil
}

var (
	pageLoc   = regexp.MustCompile(`^pp?\. (\d+)`)
	anchorLoc = regexp.MustCompile(`\(#([^)\s]+)\)$`)
	lineLoc   = regexp.MustCompile(`^(.*?) ?\(line \d+\)$`)
)

// Link returns the address where a person can open the place a unit came
// from, or "" when there is none: the spec's public_url joined with the
// document key, or, without public_url, the address an http source
// fetched the document from; a local file, a git repository or a ticket
// export without public_url has no link. A document key that is itself an http(s) URL
// is used as it is. The fragment is #page=N for a PDF page ("p. 12",
// "pp. 12–14"), the heading's anchor for HTML ("… (#anchor)"), and for
// Markdown the anchor GitHub-style renderers give the innermost heading.
// Links are computed when publishing, from kbops.yaml as it is then, so
// changing public_url changes the published links without new unit
// versions.
func (s Spec) Link(src knowledge.Source) string {
	base := ""
	switch {
	case isHTTP(src.Document):
		base = src.Document
	case s.PublicURL != "" && src.Document != "":
		parts := strings.Split(strings.TrimPrefix(src.Document, "/"), "/")
		for i, p := range parts {
			parts[i] = url.PathEscape(p)
		}
		base = strings.TrimSuffix(s.PublicURL, "/") + "/" + strings.Join(parts, "/")
	case isHTTP(src.URI) && s.LocationScheme() == "http":
		// A git source's URI is https too, but names the repository and
		// commit, not a page a person can open.
		base = src.URI
	default:
		return ""
	}
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	if f := fragment(src.Locator); f != "" {
		return base + "#" + f
	}
	return base
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// fragment returns the URL fragment of a locator, or "".
func fragment(loc string) string {
	if m := pageLoc.FindStringSubmatch(loc); m != nil {
		return "page=" + m[1]
	}
	if m := anchorLoc.FindStringSubmatch(loc); m != nil {
		return m[1]
	}
	if m := lineLoc.FindStringSubmatch(loc); m != nil && m[1] != "" {
		hs := strings.Split(m[1], " > ")
		return headingAnchor(hs[len(hs)-1])
	}
	return ""
}

// headingAnchor is the id GitHub, GitLab and most Markdown renderers give
// a heading: lower case, spaces to hyphens, punctuation dropped.
func headingAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return url.PathEscape(b.String())
}
