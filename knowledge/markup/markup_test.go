package markup

import (
	"strings"
	"testing"
	"time"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Active content.
		{"see [x](javascript:alert(1)) now", "see x now"},
		{"see [the *guide*](JavaScript:alert(1) \"t\") now", "see the *guide* now"},
		{"[x]( <javascript:alert(1)> )", "x"},
		{"[x](javascript&#58;alert(1))", "x"},
		{"[x](javascript\\:alert(1))", "x"},
		{"[x](\tvbscript:msgbox)", "x"},
		{"![](data:image/png;base64,AAAA) and ![wiring](data:text/html,<b>)", " and wiring"},
		{"[a [nested] link](file:///etc/passwd)", "a [nested] link"},
		{"[ref]: javascript:alert(1)\n", "[ref]:\n"},
		{"<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"},
		{"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"},
		{"<img\nsrc=x\nonerror=alert(1)>", "&lt;img\nsrc=x\nonerror=alert(1)>"},
		{"<IMG SRC=\"x\" ONERROR=\"alert(1)\">", "&lt;IMG SRC=\"x\" ONERROR=\"alert(1)\">"},
		{"<a href=\"javascript:alert(1)\">x</a>", "&lt;a href=\"javascript:alert(1)\">x</a>"},
		{"<a href=\"&#106;avascript:alert(1)\">x</a>", "&lt;a href=\"&#106;avascript:alert(1)\">x</a>"},
		{"<a/href=javascript:alert(1)>x</a>", "&lt;a/href=javascript:alert(1)>x</a>"},
		{"<iframe src=https://evil>", "&lt;iframe src=https://evil>"},
		{"<svg onload=alert(1)>", "&lt;svg onload=alert(1)>"},
		{"<!--><script>alert(1)</script>-->", "&lt;!-->&lt;script>alert(1)&lt;/script>-->"},
		{"<javascript:alert(1)>", "&lt;javascript:alert(1)>"},
		{"<https://x/\"onmouseover=alert(1)>", "&lt;https://x/\"onmouseover=alert(1)>"},
		{"</div onclick=x>", "&lt;/div onclick=x>"},
		{"<b", "&lt;b"},
		// Joined by a removal: "<" + "script>" after the link goes.
		{"<[](javascript:x)script>", "&lt;script>"},
		// Harmless text and markup stays as it is.
		{"Torque < 5 Nm, 3<4, a <= b", "Torque < 5 Nm, 3<4, a <= b"},
		{"[guide](https://example.com/a_(b)) and [rel](../x.md#y) [m](mailto:a@b.c)", "[guide](https://example.com/a_(b)) and [rel](../x.md#y) [m](mailto:a@b.c)"},
		{"![wiring](img/wiring.png \"Wiring\")", "![wiring](img/wiring.png \"Wiring\")"},
		{"<b>bold</b><br/><br> <img src=\"a.png\" alt=\"A\"> <a href=\"https://x\">x</a>", "<b>bold</b><br/><br> <img src=\"a.png\" alt=\"A\"> <a href=\"https://x\">x</a>"},
		{"<https://example.com/x> <alice@example.com>", "<https://example.com/x> <alice@example.com>"},
		{"[ref]: https://example.com \"t\"", "[ref]: https://example.com \"t\""},
		{"<tel_num> <x>a</x><x/> <acc_num > <Your Name>", "<tel_num> <x>a</x><x/> <acc_num > <Your Name>"},
		{"<Your Online Shop> <x y=1> <x\"y>", "&lt;Your Online Shop> &lt;x y=1> &lt;x\"y>"},
		{"<my-widget>x</my-widget> <textarea> <x onclick=y>", "&lt;my-widget>x&lt;/my-widget> &lt;textarea> &lt;x onclick=y>"},
		{"模块 <1> 和 [说明](docs/说明.md)", "模块 <1> 和 [说明](docs/说明.md)"},
		{"Note: see item [3]: ok", "Note: see item [3]: ok"},
		{"See [grounding](kb:notes/en/a/g).", "See [grounding](kb:notes/en/a/g)."},
	} {
		got := Clean(c.in)
		if got != c.want {
			t.Errorf("Clean(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if p := Find(got); p != nil {
			t.Errorf("Find(Clean(%q)) = %v", c.in, p)
		}
		if again := Clean(got); again != got {
			t.Errorf("Clean is not idempotent on %q: %q", got, again)
		}
		if (c.in == c.want) != (Find(c.in) == nil) {
			t.Errorf("Find(%q) = %v, want a problem exactly when Clean changes it", c.in, Find(c.in))
		}
	}
}

func TestFindNamesWhatAndWhere(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ok\n<script>alert(1)</script>", "line 2: <script> tag"},
		{"[x](javascript:alert(1))", `line 1: link to "javascript:alert(1)"`},
		{"a\nb\n<img src=x onerror=alert(1)>", "line 3: <img> tag with an attribute that is not allowed (src=x onerror=alert(1)>)"},
		{"<!-- c -->", "line 1: HTML comment or declaration"},
	} {
		p := Find(c.in)
		if p == nil || p.Error() != c.want {
			t.Errorf("Find(%q) = %v, want %s", c.in, p, c.want)
		}
	}
}

func TestScheme(t *testing.T) {
	for u, want := range map[string]string{
		"https://x": "https", " \x01JavaScript:x": "javascript", "java\tscript:x": "javascript",
		"../a:b": "", "a/b:c": "", "#x:y": "", "?q=a:b": "", "mailto:a@b": "mailto", "": "",
		"%6Aavascript:x": "", "c:/x": "c",
	} {
		if got := Scheme(u); got != want {
			t.Errorf("Scheme(%q) = %q, want %q", u, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"[x](javascript:alert(1))", "<script>x</script>", "<img src=x onerror=y>", "![](data:x)",
		"<b>ok</b> <a href='https://x'>y</a>", "<[](javascript:x)script>", "[r]: vbscript:x",
		"[[a](javascript:1)](javascript:2)", "a][](javascript:1)(javascript:2)", "<https://x>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if p := Find(c); p != nil {
			t.Fatalf("Find(Clean(%q)) = %v; cleaned %q", s, p, c)
		}
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent on %q", c)
		}
		if Find(s) == nil && c != s {
			t.Fatalf("Clean changed %q without a problem: %q", s, c)
		}
		if strings.Count(c, "<") > strings.Count(s, "<") {
			t.Fatalf("Clean added a \"<\": %q -> %q", s, c)
		}
	})
}

// TestHostileInputCostsLinearTime: unfinished tags and links repeated
// over a large text once took tens of seconds (every one was scanned to
// the end of the text); the bound is generous, the work is milliseconds.
func TestHostileInputCostsLinearTime(t *testing.T) {
	for _, u := range []string{"](", "<b title='", "[](javascript:x)", "<a:", "<b ", "]:", "a<", "<x@y", "](javascript:x \"", "[[a](javascript:1)](javascript:2)"} {
		s := strings.Repeat(u, 200000/len(u))
		start := time.Now()
		c := Clean(s)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Clean of %q repeated: %v", u, d)
		}
		if Find(c) != nil {
			t.Errorf("%q repeated: not clean", u)
		}
	}
}
