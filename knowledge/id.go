package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSlugRunes bounds one id segment so that ids stay readable and file
// names stay under common file-system limits even for long headings.
const maxSlugRunes = 48

// Slug turns a heading, a file name or a product name into an id segment:
// letters (any script) and digits lower-cased, every other run of
// characters one "-". Long segments are cut and given a short hash of the
// whole so that two long headings sharing a prefix stay distinct.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		if r == '_' && b.Len() > 0 {
			b.WriteByte('_')
			dash = false
			continue
		}
		dash = true
	}
	out := b.String()
	if utf8.RuneCountInString(out) > maxSlugRunes {
		sum := sha256.Sum256([]byte(s))
		runes := []rune(out)
		out = strings.TrimRight(string(runes[:maxSlugRunes-9]), "-_") + "-" + hex.EncodeToString(sum[:4])
	}
	if reservedName(out) {
		out += "_"
	}
	return out
}

// reservedName reports whether a segment is a device name that Windows
// refuses as a file or folder name with any extension (aux, aux.md, …).
// Unit files are checked out on every reviewer's machine, so ids avoid
// them; slugs hold no other character a common file system refuses and
// never end in a dot or a space.
func reservedName(seg string) bool {
	switch seg {
	case "con", "prn", "aux", "nul":
		return true
	}
	// com¹ and friends need no case: Slug drops superscript digits.
	if len(seg) == 4 && (strings.HasPrefix(seg, "com") || strings.HasPrefix(seg, "lpt")) {
		return seg[3] >= '0' && seg[3] <= '9'
	}
	return false
}

// DocumentSlug turns a document key (a relative path or URL path) into the
// slash-separated middle part of an id: each path element slugged, the file
// extension dropped.
func DocumentSlug(key string) string {
	key = strings.TrimSuffix(key, path.Ext(key))
	var parts []string
	for _, p := range strings.Split(key, "/") {
		if s := Slug(p); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "doc"
	}
	return strings.Join(parts, "/")
}

// MakeID derives a unit id from the source name, the document key and the
// heading path of the section: "<source>/<document>/<h1>.<h2>". The id
// depends on nothing else, so a section keeps its id across runs and across
// edits elsewhere in the document. A section with no heading (text before
// the first heading) gets "index". Callers disambiguate repeated heading
// paths inside one document with Disambiguate.
func MakeID(source, document string, headings []string) string {
	var hs []string
	for _, h := range headings {
		if s := Slug(h); s != "" {
			hs = append(hs, s)
		}
	}
	leaf := "index"
	if len(hs) > 0 {
		leaf = strings.Join(hs, ".")
	}
	src := Slug(source)
	if src == "" {
		src = "source"
	}
	return src + "/" + DocumentSlug(document) + "/" + leaf
}

// Disambiguate returns id unchanged the first time it is seen in seen, and
// id-2, id-3, … after that, in order of appearance.
func Disambiguate(seen map[string]int, id string) string {
	seen[id]++
	if n := seen[id]; n > 1 {
		return fmt.Sprintf("%s-%d", id, n)
	}
	return id
}

// ValidateID checks that id is a well-formed unit id: slash-separated
// segments of letters, digits, "-", "_" and ".", none empty, none "." or "..".
func ValidateID(id string) error {
	if id == "" {
		return errors.New("empty id")
	}
	for _, seg := range strings.Split(id, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("id %q has an empty or relative segment", id)
		}
		for _, r := range seg {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '-' || r == '_' || r == '.') {
				return fmt.Errorf("id %q contains %q; ids use letters, digits, '-', '_', '.' and '/'", id, r)
			}
		}
	}
	return nil
}

// UnitsDir is the folder of the knowledge repository that holds unit files.
const UnitsDir = "units"

// FilePath is the repository path of the unit file with this id.
func FilePath(id string) string { return UnitsDir + "/" + id + ".md" }

// IDFromPath returns the unit id of a repository path under UnitsDir, and
// false for paths that are not unit files.
func IDFromPath(p string) (string, bool) {
	if !strings.HasPrefix(p, UnitsDir+"/") || !strings.HasSuffix(p, ".md") {
		return "", false
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p, UnitsDir+"/"), ".md")
	// Ids always have a source and a document part, so files directly in
	// units/ (a README) are not units.
	if !strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}
