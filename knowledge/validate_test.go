package knowledge

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A unit edited by hand on the main branch is read through Parse by verify
// and publish; each of these edits must be refused there, naming the file,
// the line and the field.
func TestParseRefusesActiveContentAndBadAddresses(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(u *Unit)
		field string
		line  int
		msg   string
	}{
		{"owner markup", func(u *Unit) { u.Owner = `"><img src=x onerror=alert(1)>@example.com` }, "owner", 23, "is not a plain e-mail address"},
		{"owner display name", func(u *Unit) { u.Owner = "Alice <alice@example.com>" }, "owner", 23, "is not a plain e-mail address"},
		{"owner two ats", func(u *Unit) { u.Owner = "a@b@example.com" }, "owner", 23, "exactly one @"},
		{"source uri javascript", func(u *Unit) { u.Source.URI = "javascript:alert(document.cookie)" }, "source.uri", 16, `scheme "javascript" is not one of http, https, file`},
		{"source uri data", func(u *Unit) { u.Source.URI = " data:text/html,x" }, "source.uri", 16, "white space"},
		{"source uri tag", func(u *Unit) { u.Source.URI = "https://x/<img src=x onerror=alert(1)>" }, "source.uri", 16, "control characters or one of"},
		{"locator img", func(u *Unit) { u.Source.Locator = "p. 3 <img src=x onerror=alert(1)>" }, "source.locator", 18, "<img> tag with an attribute that is not allowed"},
		{"title script", func(u *Unit) { u.Title = "Grounding <script>alert(1)</script>" }, "title", 5, "<script> tag"},
		{"body javascript link", func(u *Unit) { u.Body = "Connect PE.\n\nSee [the guide](javascript:alert(1)).\n" }, "body", 30, `line 3 of the body: contains active content (link to "javascript:alert(1)")`},
		{"body data image", func(u *Unit) { u.Body = "![](data:image/svg+xml;base64,PHN2Zz4=)\n" }, "body", 28, `link to "data:image/svg+xml;base64,PHN2Zz4="`},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := sample()
			c.edit(&u)
			u.ContentHash = ComputeHash(u) // as `kbops review check` would
			b, err := Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse("units/demo.md", b)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse accepted the unit (err %v):\n%s", err, b)
			}
			if fe.File != "units/demo.md" || fe.Field != c.field || fe.Line != c.line || !strings.Contains(fe.Msg, c.msg) {
				t.Errorf("got %v\nwant units/demo.md:%d: field %q: …%s…", err, c.line, c.field, c.msg)
			}
		})
	}
}

func TestValidateAcceptsWhatLocationsProduce(t *testing.T) {
	for _, uri := range []string{
		"file:///notes/en/a b.md", "https://docs.example.com/x.html", "http://127.0.0.1:8080/m.pdf",
		"/srv/git/manuals#0123456789ab:en/a.md", "git@github.com:org/docs.git#0123456789ab:a.md",
		"ssh://git@host/org/docs.git#0123456789ab:a.md", `C:\manuals\a.pdf`,
	} {
		if err := ValidateSourceURI(uri); err != nil {
			t.Errorf("ValidateSourceURI(%q): %v", uri, err)
		}
	}
	for _, addr := range []string{"alice@example.com", "first.last+kb@sub.example.co.uk", "owner@localhost", "müller@beispiel.de"} {
		if err := ValidateEmail(addr); err != nil {
			t.Errorf("ValidateEmail(%q): %v", addr, err)
		}
	}
	u := sample()
	u.Title = "Torque < 5 Nm"
	u.Body = "Use <b>4 mm²</b> wire; see [the manual](https://example.com/m.pdf) or <alice@example.com>.\n"
	u.ContentHash = ComputeHash(u)
	if err := u.Validate(); err != nil {
		t.Errorf("harmless markup refused: %v", err)
	}
}

// A hand edit of the per-export counts that no longer adds up is refused:
// later exports are matched against them.
func TestParseRefusesInconsistentSeenIn(t *testing.T) {
	for _, c := range []struct {
		name, field, msg string
		edit             func(u *Unit)
	}{
		{"sum", "occurrences", "add up to 3", func(u *Unit) { u.Occurrences, u.SeenIn = 5, map[string]int{"a.csv": 1, "b.csv": 2} }},
		{"zero count", "seen_in", "count of 1 or more", func(u *Unit) { u.Occurrences, u.SeenIn = 1, map[string]int{"a.csv": 1, "b.csv": 0} }},
		{"dates", "last_seen", "before first_seen", func(u *Unit) {
			u.FirstSeen, u.LastSeen = DateOf(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)), DateOf(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		}},
	} {
		u := sample()
		c.edit(&u)
		u.ContentHash = ComputeHash(u)
		b, err := Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse("units/demo.md", b)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(fe.Msg, c.msg) {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
	u := sample()
	u.Occurrences, u.SeenIn = 3, map[string]int{"a.csv": 1, "b.csv": 2}
	u.ContentHash = ComputeHash(u)
	if err := u.Validate(); err != nil {
		t.Errorf("consistent counts refused: %v", err)
	}
}
