package health_test

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/health"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

var notes = map[string]string{
	"en/vf300-env.md": `---
title: VF-300 environment
product: vf-300
owner: li.wei@example.com
language: en
---

# Ambient

The VF-300 runs at a max. ambient temperature of 50 °C without derating.
`,
	"en/vf300-install.md": `---
title: VF-300 installation
product: vf-300
owner: li.wei@example.com
language: en
---

# Cabinet

Mount the VF-300 vertically; the max. ambient temperature is 40 °C in a closed cabinet.
`,
}

func TestHealthFigures(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	ws, notesDir := trackstest.Workspace(t, trackstest.Options{ApprovedAt: now.Add(-100 * 24 * time.Hour), Notes: notes})
	st, _ := tracks.Load(ctx, ws)
	var vf200, vf300 []string
	for _, id := range st.Snap.IDs() {
		switch st.Snap.Units[id].Product {
		case "vf-200":
			vf200 = append(vf200, id)
		case "vf-300":
			vf300 = append(vf300, id)
		}
	}
	if len(vf300) != 2 || len(vf200) < 4 {
		t.Fatalf("fixture: %d vf-200, %d vf-300 units", len(vf200), len(vf300))
	}
	// vf-300 was reviewed 100 days ago with a 120-day interval: fresh.
	// vf-200 gets triggered: due, so stale.
	ws.Config.Review.Intervals = map[knowledge.Tier]int{knowledge.TierInternal: 120}
	if _, err := tracks.Trigger(ctx, ws, "vf-200", "firmware 2.1", "", now); err != nil {
		t.Fatal(err)
	}
	// Feedback on one vf-300 unit: 2 and 4.
	ts := now.UTC().Format(time.RFC3339)
	rows, _ := tracks.ParseFeedback("f.csv", strings.NewReader("unit_id,rating,time\n"+vf300[0]+",2,"+ts+"\n"+vf300[0]+",4,"+ts+"\n"))
	if _, err := tracks.Import(ctx, ws, rows, tracks.Thresholds{}, now); err != nil {
		t.Fatal(err)
	}
	// A new note waits for review.
	os.WriteFile(filepath.Join(notesDir, "en", "vf300-new.md"), []byte("---\ntitle: New\nproduct: vf-300\nowner: li.wei@example.com\nlanguage: en\n---\n\n# Fuses\n\nUse 16 A gG fuses.\n"), 0o644)
	if _, err := ingest.Run(ctx, ws, ingest.Options{Now: now.Add(-3 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}

	// Before any usage import, never_retrieved is unknown.
	if rep, _ := health.Compute(ctx, ws, health.Filter{}, now); rep.Total.NeverRetrieved != nil {
		t.Fatal("never_retrieved without usage data")
	}
	usage, _ := tracks.ParseUsage("u.jsonl", strings.NewReader(`{"unit_id":"`+vf300[0]+`","time":"`+ts+`","query":"max temperature"}`+"\n"))
	if n, _, err := tracks.ImportUsage(ws, usage); err != nil || n != 1 {
		t.Fatalf("usage import: %d %v", n, err)
	}
	rep, err := health.Compute(ctx, ws, health.Filter{}, now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	row := func(rows []health.Row, key string) health.Row {
		for _, r := range rows {
			if r.Key == key {
				return r
			}
		}
		t.Fatalf("no row %s in\n%s", key, b)
		return health.Row{}
	}
	p200, p300 := row(rep.Products, "vf-200"), row(rep.Products, "vf-300")
	if p200.Units != len(vf200) || p200.Stale != len(vf200) || p200.StalePct != 100 || p200.Due != len(vf200) {
		t.Errorf("vf-200: %+v", p200)
	}
	if p300.Units != 2 || p300.Stale != 0 || p300.StalePct != 0 || p300.Due != 0 {
		t.Errorf("vf-300: %+v", p300)
	}
	if p300.MedianAgeDays == nil || *p300.MedianAgeDays < 99.9 || *p300.MedianAgeDays > 100.1 {
		t.Errorf("vf-300 median age %v", p300.MedianAgeDays)
	}
	if p300.FeedbackScore == nil || *p300.FeedbackScore != 3 || p300.FeedbackRatings != 2 || p200.FeedbackScore != nil {
		t.Errorf("feedback %v/%d, vf-200 %v", p300.FeedbackScore, p300.FeedbackRatings, p200.FeedbackScore)
	}
	if p300.Pending != 1 || p300.PendingOldestDays == nil || *p300.PendingOldestDays < 2.9 || *p300.PendingOldestDays > 3.1 || p200.Pending != 0 {
		t.Errorf("pending %d %v, vf-200 %d", p300.Pending, p300.PendingOldestDays, p200.Pending)
	}
	if p300.Conflicts != 1 || p200.Conflicts != 0 {
		t.Errorf("conflicts vf-300 %d vf-200 %d", p300.Conflicts, p200.Conflicts)
	}
	if p300.GlossaryCoverage != 0 || p300.NeverRetrieved == nil || *p300.NeverRetrieved != 1 || *p200.NeverRetrieved != len(vf200) {
		t.Errorf("coverage %v never retrieved %v", p300.GlossaryCoverage, p300.NeverRetrieved)
	}
	if o := row(rep.Owners, "li.wei@example.com"); o.Units != 2 || o.Conflicts != 1 {
		t.Errorf("owner li.wei: %+v", o)
	}
	if o := row(rep.Owners, "ana.ruiz@example.com"); o.Units != len(vf200) {
		t.Errorf("owner ana.ruiz: %+v", o)
	}
	if rep.Total.Units != len(vf200)+2 || rep.Total.Stale != len(vf200) {
		t.Errorf("total %+v", rep.Total)
	}
	// Filters.
	only, err := health.Compute(ctx, ws, health.Filter{Product: "VF-300"}, now)
	if err != nil || len(only.Products) != 1 || only.Total.Units != 2 {
		t.Errorf("filter by product: %+v %v", only.Products, err)
	}
	byOwner, _ := health.Compute(ctx, ws, health.Filter{Owner: "Ana Ruiz <ana.ruiz@example.com>"}, now)
	if byOwner.Total.Units != len(vf200) || len(byOwner.Owners) != 1 {
		t.Errorf("filter by owner: %+v", byOwner.Total)
	}
}

func TestHTMLReportRendersInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if chromium, err = exec.LookPath("chromium-browser"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("CI=true and chromium is not installed (apt-get install -y chromium)")
			}
			t.Skip("chromium not installed")
		}
	}
	ctx := context.Background()
	now := time.Now()
	ws, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: now.Add(-100 * 24 * time.Hour), Notes: notes})
	ws.Config.Review.Intervals = map[knowledge.Tier]int{knowledge.TierInternal: 120}
	if _, err := tracks.Trigger(ctx, ws, "vf-300", "recall", "", now); err != nil {
		t.Fatal(err)
	}
	rep, err := health.Snapshot(ctx, ws, health.Filter{}, now)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(ws.Root, ".kbops", "health", "health.html")
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "http://", "https://", "<link", "@import"} {
		if strings.Contains(strings.ReplaceAll(string(html), `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("report is not self-contained: contains %q", bad)
		}
	}
	if !strings.Contains(string(html), "<svg") || rep.Total.Units == 0 {
		t.Fatal("no chart")
	}
	shot := filepath.Join(t.TempDir(), "health.png")
	cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--screenshot="+shot, "--window-size=1200,900", "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The charts drew: the stale orange and the fresh green are on screen.
	var orange, green int
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			if near(r, 0xc0) && near(g, 0x56) && near(b, 0x21) {
				orange++
			}
			if near(r, 0x2f) && near(g, 0x85) && near(b, 0x5a) {
				green++
			}
		}
	}
	if orange < 200 || green < 1000 {
		t.Fatalf("charts not visible in the screenshot (orange %d, green %d px)", orange, green)
	}
	if os.Getenv("KBOPS_KEEP_SCREENSHOT") != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(os.Getenv("KBOPS_KEEP_SCREENSHOT"), b, 0o644)
	}
}

func near(a, b uint32) bool { return a+6 >= b && a <= b+6 }
