package health

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteHTML renders the report as one static page: inline CSS and SVG, no
// script, no external asset, so it can be mailed or archived as it is.
func WriteHTML(w io.Writer, r Report) error {
	return page.Execute(w, struct {
		Report
		StaleChart, CoverageChart, OwnerChart template.HTML
	}{r, staleChart(r.Products, "Units per product: fresh and stale"), coverageChart(r.Products), staleChart(r.Owners, "Units per owner: fresh and stale")})
}

const (
	chartW    = 560
	barH      = 22
	gap       = 8
	labelW    = 170
	colFresh  = "#2f855a"
	colStale  = "#c05621"
	colCover  = "#2b6cb0"
	colTrack  = "#e2e8f0"
	textColor = "#1a202c"
)

func esc(s string) string { return template.HTMLEscapeString(s) }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// staleChart draws one horizontal stacked bar per row: fresh units in
// green, stale in orange, scaled to the largest group.
func staleChart(rows []Row, title string) template.HTML {
	if len(rows) == 0 {
		return template.HTML(`<p class="empty">No units.</p>`)
	}
	max := 1
	for _, r := range rows {
		if r.Units > max {
			max = r.Units
		}
	}
	h := len(rows)*(barH+gap) + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg">`, esc(title), chartW, h, chartW, h)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	scale := float64(chartW-labelW-130) / float64(max)
	for i, r := range rows {
		y := i*(barH+gap) + 4
		fresh := r.Units - r.Stale
		fw, sw := float64(fresh)*scale, float64(r.Stale)*scale
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="%s" text-anchor="end">%s</text>`, labelW-8, y+16, textColor, esc(shorten(r.Key, 24)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %d fresh</title></rect>`, labelW, y, fw, barH, colFresh, esc(r.Key), fresh)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %d stale</title></rect>`, float64(labelW)+fw, y, sw, barH, colStale, esc(r.Key), r.Stale)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="%s">%d (%.0f%% stale)</text>`, float64(labelW)+fw+sw+6, y+16, textColor, r.Units, r.StalePct)
	}
	ly := len(rows)*(barH+gap) + 18
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" font-size="12" fill="%s">fresh</text>`, labelW, ly, colFresh, labelW+16, ly+11, textColor)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" font-size="12" fill="%s">stale or due</text>`, labelW+70, ly, colStale, labelW+86, ly+11, textColor)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// coverageChart draws glossary coverage per product as bars on a 0–100%
// track.
func coverageChart(rows []Row) template.HTML {
	if len(rows) == 0 {
		return template.HTML(`<p class="empty">No units.</p>`)
	}
	h := len(rows)*(barH+gap) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="Glossary coverage per product" width="%d" height="%d" viewBox="0 0 %d %d" xmlns="http://www.w3.org/2000/svg"><title>Glossary coverage per product</title>`, chartW, h, chartW, h)
	track := float64(chartW - labelW - 130)
	for i, r := range rows {
		y := i*(barH+gap) + 4
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="%s" text-anchor="end">%s</text>`, labelW-8, y+16, textColor, esc(shorten(r.Key, 24)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelW, y, track, barH, colTrack)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %d of %d units name glossary concepts</title></rect>`, labelW, y, track*r.GlossaryCoverage/100, barH, colCover, esc(r.Key), r.WithConcepts, r.Units)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" fill="%s">%.0f%%</text>`, float64(labelW)+track+6, y+16, textColor, r.GlossaryCoverage)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var funcs = template.FuncMap{
	"num": func(p *float64) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprintf("%.1f", *p)
	},
	"num2": func(p *float64) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprintf("%.2f", *p)
	},
	"inum": func(p *int) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprint(*p)
	},
	"pct": func(x float64) string { return fmt.Sprintf("%.0f%%", x) },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"dict": func(title string, rows []Row) map[string]any {
		return map[string]any{"Title": map[string]string{"Products": "product", "Owners": "owner"}[title], "Rows": rows}
	},
	"warn": func(x float64) string {
		switch {
		case x >= 50:
			return "bad"
		case x >= 20:
			return "warn"
		}
		return ""
	},
}

var page = template.Must(template.New("health").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Knowledge health — {{.GeneratedAt.Format "2006-01-02 15:04 MST"}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1a202c;margin:24px;max-width:1150px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#4a5568;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #cbd5e0;border-radius:8px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:24px}.card span{font-size:12px;color:#4a5568}
.charts{display:flex;flex-wrap:wrap;gap:24px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #e2e8f0;padding:5px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#f7fafc;font-weight:600}
td.warn{background:#fefcbf}td.bad{background:#fed7d7}
.notes{font-size:12px;color:#4a5568}
.empty{color:#718096}
</style>
</head>
<body>
<h1>Knowledge health</h1>
<p class="meta">Generated {{.GeneratedAt.Format "2006-01-02 15:04 MST"}} · main {{short .MainCommit}}{{if .ReviewCommit}} · review branch {{short .ReviewCommit}}{{end}}{{if .Filter.Product}} · product {{.Filter.Product}}{{end}}{{if .Filter.Owner}} · owner {{.Filter.Owner}}{{end}}</p>
<div class="cards">
<div class="card"><b>{{.Total.Units}}</b><span>active units on main</span></div>
<div class="card"><b>{{pct .Total.StalePct}}</b><span>stale ({{.Total.Stale}}; {{.Total.Due}} due)</span></div>
<div class="card"><b>{{num .Total.MedianAgeDays}}</b><span>median days since review</span></div>
<div class="card"><b>{{pct .Total.GlossaryCoverage}}</b><span>glossary coverage</span></div>
<div class="card"><b>{{.Total.Pending}}</b><span>pending reviews (oldest {{num .Total.PendingOldestDays}} d)</span></div>
<div class="card"><b>{{.Total.Conflicts}}</b><span>open conflicts</span></div>
<div class="card"><b>{{num .Total.FeedbackScore}}</b><span>feedback score ({{.Total.FeedbackRatings}} ratings)</span></div>
</div>
<div class="charts">
<section><h2>Staleness by product</h2>{{.StaleChart}}</section>
<section><h2>Glossary coverage by product</h2>{{.CoverageChart}}</section>
<section><h2>Staleness by owner</h2>{{.OwnerChart}}</section>
</div>
{{define "table"}}
<table>
<thead><tr><th>{{.Title}}</th><th>units</th><th>stale</th><th>due</th><th>median age (d)</th><th>glossary</th><th>pending</th><th>oldest pending (d)</th><th>conflicts</th><th>feedback</th><th>scenarios</th><th>occurrences</th><th>never retrieved</th><th>retrievals</th><th>effectiveness</th><th>retrieved often, rated badly</th></tr></thead>
<tbody>{{range .Rows}}<tr><td>{{.Key}}</td><td>{{.Units}}</td><td class="{{warn .StalePct}}">{{pct .StalePct}}</td><td>{{.Due}}</td><td>{{num .MedianAgeDays}}</td><td>{{pct .GlossaryCoverage}}</td><td>{{.Pending}}</td><td>{{num .PendingOldestDays}}</td><td>{{.Conflicts}}</td><td>{{num .FeedbackScore}}</td><td>{{.ScenarioUnits}}</td><td>{{.Occurrences}}</td><td>{{inum .NeverRetrieved}}</td><td>{{.Retrievals}}</td><td>{{num2 .Effectiveness}}</td><td>{{.RetrievedBadly}}</td></tr>
{{else}}<tr><td colspan="13" class="empty">No units.</td></tr>{{end}}</tbody>
</table>
{{end}}
<h2>By product</h2>
{{template "table" (dict "Products" .Products)}}
<h2>By owner</h2>
{{template "table" (dict "Owners" .Owners)}}
{{if .Markets}}<h2>Market adaptations</h2><table><thead><tr><th>market</th><th>core units</th><th>adapted</th><th>missing</th></tr></thead>
<tbody>{{range .Markets}}<tr><td>{{.Market}}</td><td>{{.Core}}</td><td>{{.Adapted}}</td><td>{{range $i, $m := .Missing}}{{if $i}}, {{end}}{{$m}}{{end}}</td></tr>{{end}}</tbody></table>{{end}}
{{if .Notes}}<h2>Notes</h2><ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body>
</html>
`))
