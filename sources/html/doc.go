// Package html is the extractor for HTML manuals and rendered doc sites
// (format "html": .html, .htm, .xhtml).
//
// Rendered documentation is mostly navigation: the MkDocs page in the test
// corpus is nine parts menu to one part article. The extractor keeps the
// main content — the first of <main>, <article>, [role=main], .md-content
// and common content ids that holds real text, else the block with the
// most text that is not link text — and drops navigation, headers,
// footers, sidebars, scripts, forms and banners inside it. Headings cut it
// into sections; tables become Markdown tables; lists, code blocks and
// image alt text are kept.
//
// Any charset is read: a byte-order mark, <meta charset>, the HTTP
// content type, or a guess (GBK, Shift_JIS, Windows-125x …) through
// golang.org/x/net/html/charset. Hostile input is bounded: documents over
// MaxSize are refused and elements nested deeper than MaxDepth are
// flattened to their text, so no recursion depends on the input.
package html
