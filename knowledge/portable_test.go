package knowledge

import (
	"strings"
	"testing"
)

// portable reports the first path segment that Windows refuses: a device
// name with any extension, a reserved character, or a trailing dot/space.
func portable(p string) (bad string, ok bool) {
	for _, seg := range strings.Split(p, "/") {
		base := strings.ToLower(seg)
		if i := strings.IndexByte(base, '.'); i >= 0 {
			base = base[:i]
		}
		if reservedName(base) || strings.ContainsAny(seg, `<>:"\|?*`) || strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " ") {
			return seg, false
		}
		for _, r := range seg {
			if r < 32 {
				return seg, false
			}
		}
	}
	return "", true
}

func TestUnitPathsArePortable(t *testing.T) {
	for _, c := range []struct {
		doc      string
		headings []string
	}{
		{"aux.md", nil}, {"CON", []string{"NUL"}}, {"notes/Com1.md", []string{"LPT9", "Setup"}},
		{"prn.txt", []string{"aux. "}}, {"x/com¹.md", []string{"nul..."}}, {"a.b.", []string{"trailing. "}},
	} {
		id := MakeID("notes", c.doc, c.headings)
		if seg, ok := portable(FilePath(id)); !ok {
			t.Errorf("MakeID(%q, %q) = %s: segment %q cannot be checked out on Windows", c.doc, c.headings, FilePath(id), seg)
		}
		if err := ValidateID(id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if got, ok := IDFromPath(FilePath(id)); !ok || got != id {
			t.Errorf("IDFromPath(FilePath(%q)) = %q, %v", id, got, ok)
		}
	}
	// Names that only start like a device name stay as they are.
	for _, s := range []string{"auxiliary", "com10", "console", "nullable"} {
		if Slug(s) != s {
			t.Errorf("Slug(%q) = %q", s, Slug(s))
		}
	}
	if Slug("AUX") != "aux_" || Slug("Lpt3") != "lpt3_" {
		t.Errorf("Slug(AUX) = %q, Slug(Lpt3) = %q", Slug("AUX"), Slug("Lpt3"))
	}
}
