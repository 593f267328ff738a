package markdown

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	admonitionRe = regexp.MustCompile(`^(\s*)(!!!|\?\?\?\+?)\s+([\w-]+)(?:\s+"([^"]*)")?\s*$`)
	docusaurusRe = regexp.MustCompile(`^\s*:::\s*([\w-]+)?\s*(.*?)\s*$`)
	imgTagRe     = regexp.MustCompile(`(?is)<img\b[^>]*?>`)
	altRe        = regexp.MustCompile(`(?is)\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|\{["']([^"']*)["']\})`)
	srcRe        = regexp.MustCompile(`(?is)\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	tagRe        = regexp.MustCompile(`(?s)</?[A-Za-z][A-Za-z0-9.:-]*(?:\s+(?:[^<>{}"']|"[^"]*"|'[^']*'|\{\{.*?\}\}|\{[^{}]*\})*?)?\s*/?>`)
	commentRe    = regexp.MustCompile(`(?s)<!--.*?-->`)
	mdxLineRe    = regexp.MustCompile(`^(import\s.+\sfrom\s+['"].+['"];?|export\s+(default\s+)?(const|function|let|var)\b.*)$`)
)

// clean turns doc-site Markdown into plain Markdown. Lines are replaced,
// never added or removed, so that line numbers in locators stay right;
// fenced code is left alone.
func clean(body string) string {
	body = commentRe.ReplaceAllStringFunc(body, func(c string) string {
		return strings.Repeat("\n", strings.Count(c, "\n")) // keep line count
	})
	lines := strings.Split(body, "\n")
	fence := ""
	indent := -1     // body indentation of the open MkDocs admonition
	inBlock := false // inside a Docusaurus ::: block
	for i, l := range lines {
		if fence != "" {
			if strings.HasPrefix(strings.TrimSpace(l), fence) {
				fence = ""
			}
			continue
		}
		if m := fenceOpen.FindStringSubmatch(l); m != nil && indent < 0 {
			fence = m[1][:3]
			continue
		}
		if indent >= 0 {
			switch {
			case strings.TrimSpace(l) == "":
				lines[i] = ""
				continue
			case leading(l) >= indent:
				lines[i] = l[indent:]
				if m := fenceOpen.FindStringSubmatch(lines[i]); m != nil {
					fence = m[1][:3]
				}
				continue
			default:
				indent = -1
			}
		}
		if m := admonitionRe.FindStringSubmatch(l); m != nil {
			title := m[4]
			if title == "" && !strings.Contains(l, `""`) {
				title = capitalize(m[3])
			}
			lines[i] = ""
			if title != "" {
				lines[i] = "**" + title + "**"
			}
			indent = len(m[1]) + 4
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(l), ":::") {
			m := docusaurusRe.FindStringSubmatch(l)
			inBlock = !(m[1] == "" && m[2] == "")
			switch {
			case m[1] == "" && m[2] == "":
				lines[i] = "" // closing :::
			case m[2] != "":
				lines[i] = "**" + capitalize(m[1]) + ": " + m[2] + "**"
			default:
				lines[i] = "**" + capitalize(m[1]) + "**"
			}
			continue
		}
		if inBlock {
			// Docusaurus blocks are often indented; indented text would
			// read as a code block.
			l = strings.TrimLeft(l, " \t")
			lines[i] = l
		}
		if mdxLineRe.MatchString(l) {
			lines[i] = ""
			continue
		}
		if strings.Contains(l, "<") {
			lines[i] = stripTags(l)
		}
	}
	return strings.Join(lines, "\n")
}

// stripTags removes HTML/JSX tags from a line, keeping image alt text as
// a Markdown image. A line that held only tags becomes empty.
func stripTags(l string) string {
	l = imgTagRe.ReplaceAllStringFunc(l, func(tag string) string {
		alt := ""
		if m := altRe.FindStringSubmatch(tag); m != nil {
			alt = m[1] + m[2] + m[3]
		}
		if strings.TrimSpace(alt) == "" {
			return ""
		}
		src := ""
		if m := srcRe.FindStringSubmatch(tag); m != nil {
			src = m[1] + m[2]
		}
		return "![" + alt + "](" + src + ")"
	})
	out := tagRe.ReplaceAllString(l, "")
	if strings.TrimSpace(out) == "" {
		return ""
	}
	return out
}

func leading(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
