package sources_test

import (
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/sources"
)

// A unit links to its document's public address with the page or anchor,
// and to nothing when only a local file exists.
func TestLink(t *testing.T) {
	pub := sources.Spec{PublicURL: "https://docs.example.com/manuals"}
	for _, c := range []struct {
		spec sources.Spec
		src  knowledge.Source
		want string
	}{
		{pub, knowledge.Source{URI: "file:///srv/manuals/vf200 en.pdf", Document: "vf200 en.pdf", Locator: "p. 12"}, "https://docs.example.com/manuals/vf200%20en.pdf#page=12"},
		{pub, knowledge.Source{URI: "file:///srv/manuals/x.pdf", Document: "x.pdf", Locator: "pp. 7–9"}, "https://docs.example.com/manuals/x.pdf#page=7"},
		{pub, knowledge.Source{URI: "file:///srv/web/faq.html", Document: "mx/faq.html", Locator: "Mantenimiento > Disipador (#disipador)"}, "https://docs.example.com/manuals/mx/faq.html#disipador"},
		{pub, knowledge.Source{URI: "file:///n/en/install.md", Document: "en/install.md", Locator: "Installation > Grounding the drive (line 12)"}, "https://docs.example.com/manuals/en/install.md#grounding-the-drive"},
		{pub, knowledge.Source{URI: "file:///n/en/install.md", Document: "en/install.md", Locator: "line 1"}, "https://docs.example.com/manuals/en/install.md"},
		{sources.Spec{}, knowledge.Source{URI: "file:///srv/manuals/x.pdf", Document: "x.pdf", Locator: "p. 3"}, ""},
		{sources.Spec{}, knowledge.Source{URI: "https://example.com/faq.html", Document: "https://example.com/faq.html", Locator: "FAQ (#cooling)"}, "https://example.com/faq.html#cooling"},
		{sources.Spec{Type: "http"}, knowledge.Source{URI: "https://example.com/faq?id=7", Document: "faq-7", Locator: "FAQ (#cooling)"}, "https://example.com/faq?id=7#cooling"},
		{sources.Spec{Type: "git"}, knowledge.Source{URI: "https://git.example.com/docs.git#0123456789ab:guide.md", Document: "guide.md", Locator: "Setup (line 3)"}, ""},
		{sources.Spec{Type: "git", PublicURL: "https://git.example.com/docs/src/branch/main/"}, knowledge.Source{URI: "https://git.example.com/docs.git#0123456789ab:guide.md", Document: "guide.md", Locator: "Guide > Setup (line 3)"}, "https://git.example.com/docs/src/branch/main/guide.md#setup"},
		{pub, knowledge.Source{URI: "https://example.com/faq.html", Document: "https://example.com/faq.html"}, "https://example.com/faq.html"},
	} {
		if got := c.spec.Link(c.src); got != c.want {
			t.Errorf("Link(%+v) = %q, want %q", c.src, got, c.want)
		}
	}
}

// public_url must be an absolute http(s) URL a customer can open.
func TestPublicURLValidated(t *testing.T) {
	base := sources.Spec{Name: "m", Kind: "manuals", Location: sources.Locations{"m/"}, Owner: "o@example.com"}
	for _, bad := range []string{"docs.example.com/manuals", "/srv/manuals", "ftp://example.com/", "file:///srv", "https://user:pw@example.com/", "https://example.com/?a=b", "https://example.com/#x"} {
		s := base
		s.PublicURL = bad
		if err := s.Validate(); err == nil || !strings.HasPrefix(err.Error(), "public_url: ") {
			t.Errorf("public_url %q: err = %v", bad, err)
		}
	}
	s := base
	s.PublicURL = "https://docs.example.com/manuals/"
	if err := s.Validate(); err != nil {
		t.Errorf("good public_url refused: %v", err)
	}
}
