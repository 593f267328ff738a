package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/eval/evaltest"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/publish/publishbench"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// settings of one run.
type settings struct {
	docs, sections, tickets, pdfCopies int
	changePct                          float64
	pdfs, dir, kbops                   string
	keep, ingestOnly                   bool
	rssLimitMiB                        int
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	if f := os.Getenv(launchEnv); f != "" {
		os.Exit(launch(f, os.Args[1:]))
	}
	var s settings
	flag.IntVar(&s.docs, "docs", envInt("KBOPS_BENCH_DOCS", 10000), "Markdown documents to generate (env KBOPS_BENCH_DOCS)")
	flag.IntVar(&s.sections, "sections", envInt("KBOPS_BENCH_SECTIONS", 10), "sections (units) per document (env KBOPS_BENCH_SECTIONS)")
	flag.IntVar(&s.tickets, "tickets", envInt("KBOPS_BENCH_TICKETS", 100000), "tickets in the CSV export (env KBOPS_BENCH_TICKETS)")
	flag.IntVar(&s.pdfCopies, "pdf-copies", envInt("KBOPS_BENCH_PDF_COPIES", 2), "copies of each PDF under -pdfs (env KBOPS_BENCH_PDF_COPIES)")
	flag.StringVar(&s.pdfs, "pdfs", envStr("KBOPS_BENCH_PDFS", ""), "folder of PDF manuals to copy into the corpus and extract (env KBOPS_BENCH_PDFS; empty: none)")
	flag.StringVar(&s.dir, "dir", envStr("KBOPS_BENCH_DIR", ""), "work folder (env KBOPS_BENCH_DIR; default: a new temp folder)")
	flag.StringVar(&s.kbops, "kbops", envStr("KBOPS_BENCH_BIN", ""), "kbops binary (default: built from ./cmd/kbops)")
	flag.BoolVar(&s.keep, "keep", os.Getenv("KBOPS_BENCH_KEEP") == "1", "keep the work folder (env KBOPS_BENCH_KEEP=1)")
	flag.IntVar(&s.rssLimitMiB, "rss-limit", envInt("KBOPS_BENCH_RSS_LIMIT_MIB", 4096), "peak RSS bound per step in MiB (env KBOPS_BENCH_RSS_LIMIT_MIB)")
	flag.BoolVar(&s.ingestOnly, "ingest-only", os.Getenv("KBOPS_BENCH_INGEST_ONLY") == "1", "stop after the ingest steps (env KBOPS_BENCH_INGEST_ONLY=1)")
	flag.Float64Var(&s.changePct, "change", 1, "percent of documents changed for the incremental step")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx := context.Background()
	code, err := run(ctx, s, log, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kbops-bench:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// row is one line of the table.
type row struct {
	step       string
	dur        time.Duration
	items      int
	unit       string // "units", "docs", "objects"
	rssKiB     int64
	anchor     string
	anchorDur  time.Duration
	ratio      float64 // meaning depends on ratioKind
	ratioLabel string
	goal       string
	met        string // "yes", "NO (…)", ""
	repo       string // the knowledge repository's .git after the step
	size       bool   // a size row: no time, rate or RSS
}

// child runs one kbops command and returns its time and peak RSS.
type child struct {
	bin, ws string
	env     []string
}

type result struct {
	dur    time.Duration
	rssKiB int64
	out    []byte
}

func runChild(ctx context.Context, env []string, name string, args ...string) (result, error) {
	cmd, rssFile, err := launched(ctx, name, args...)
	if err != nil {
		return result{}, err
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err = cmd.Run()
	r := result{dur: time.Since(start), out: out.Bytes(), rssKiB: readRSS(rssFile)}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, tail(out.String()), tail(errb.String()))
	}
	return r, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func (c child) kb(ctx context.Context, args ...string) (result, error) {
	return runChild(ctx, c.env, c.bin, append([]string{"-w", c.ws}, args...)...)
}

func run(ctx context.Context, s settings, log *slog.Logger, stdout io.Writer) (int, error) {
	dir := s.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "kbops-bench-")
		if err != nil {
			return 1, err
		}
		dir = d
	}
	if !s.keep && s.dir == "" {
		defer os.RemoveAll(dir)
	}
	bin := s.kbops
	if bin == "" {
		bin = filepath.Join(dir, "kbops")
		log.Info("building kbops", "bin", bin)
		if _, err := runChild(ctx, nil, "go", "build", "-o", bin, "./cmd/kbops"); err != nil {
			return 1, fmt.Errorf("build kbops (run from the module root): %w", err)
		}
	}

	// Corpus.
	corpus := filepath.Join(dir, "corpus")
	mdRoot := filepath.Join(corpus, "manuals", "md")
	log.Info("generating corpus", "docs", s.docs, "sections", s.sections, "tickets", s.tickets)
	for d := 0; d < s.docs; d++ {
		if err := writeDoc(mdRoot, d, s.sections, 0); err != nil {
			return 1, err
		}
	}
	pdfCopies, err := copyPDFs(s.pdfs, filepath.Join(corpus, "manuals", "pdf"), s.pdfCopies)
	if err != nil {
		return 1, err
	}
	if s.tickets > 0 {
		if err := writeTickets(filepath.Join(corpus, "tickets", "export.csv"), s.tickets); err != nil {
			return 1, err
		}
	}

	// Weaviate: one server for kbops and the raw anchor.
	srv, err := embedded.Start(ctx, embedded.Options{Dir: filepath.Join(dir, "weaviate")})
	if err != nil {
		return 1, err
	}
	defer srv.Stop(context.Background())

	ws := filepath.Join(dir, "kb")
	if err := writeWorkspace(ws, "http://"+srv.Host(), srv.GRPCHost(), s.tickets > 0); err != nil {
		return 1, err
	}
	env := []string{"KBOPS_NO_PROGRESS=1", "GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@example.com", "GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@example.com"}
	if _, err := runChild(ctx, env, bin, "init", ws); err != nil {
		return 1, err
	}
	c := child{bin: bin, ws: ws, env: env}
	var rows []row
	rssOK := func(r result) bool { return r.rssKiB <= int64(s.rssLimitMiB)*1024 }
	failures := 0

	// PDF extraction vs pdftotext, per document, as separate processes both.
	if len(pdfCopies) > 0 {
		originals, _ := filepath.Glob(filepath.Join(s.pdfs, "*.pdf"))
		var kd, pd time.Duration
		var rss int64
		anchor := "pdftotext"
		for _, p := range originals {
			r, err := runChild(ctx, env, bin, "extract", p)
			if err != nil {
				log.Warn("kbops extract failed", "pdf", p, "err", err)
			}
			kd += r.dur
			rss = max(rss, r.rssKiB)
			if a, err := runChild(ctx, nil, "pdftotext", "-q", p, "-"); err == nil {
				pd += a.dur
			} else {
				anchor = "pdftotext (missing or failed)"
			}
		}
		rows = append(rows, row{step: "pdf extract", dur: kd, items: len(originals), unit: "docs", rssKiB: rss,
			anchor: anchor, anchorDur: pd, ratio: ratio(kd, pd), ratioLabel: "time ×", goal: "report"})
	}

	// Full ingest.
	log.Info("ingest (full)")
	full, err := c.kb(ctx, "ingest", "--json")
	if err != nil {
		return 1, err
	}
	frep, err := parseIngest(full.out)
	if err != nil {
		return 1, err
	}
	added, _, _ := frep.counts()
	docs := frep.documents()

	// Anchor: the git command line committing the same unit files.
	gitDur, err := gitAnchor(ctx, ws, filepath.Join(dir, "gitanchor"), env)
	if err != nil {
		return 1, err
	}
	rows = append(rows, row{step: "ingest (full)", dur: full.dur, items: added, unit: "units", rssKiB: full.rssKiB,
		anchor: "git add -A && git commit", anchorDur: gitDur, ratio: ratio(full.dur, gitDur), ratioLabel: "time ×",
		goal: "RSS bounded", met: yesNo(rssOK(full), "RSS over limit"), repo: repoAfter(ws)})
	log.Info("ingest (full) done", "units", added, "documents", docs, "time", full.dur)

	// No-op re-ingest: must take ≤ 5% and make no commit.
	before, err := branchHash(ws, "kbops/review")
	if err != nil {
		return 1, err
	}
	noop, err := c.kb(ctx, "ingest", "--json")
	if err != nil {
		return 1, err
	}
	after, _ := branchHash(ws, "kbops/review")
	nrep, _ := parseIngest(noop.out)
	nr := ratio(noop.dur, full.dur)
	noopGoal, met := check("ingest (no-op)", nr)
	if before != after || nrep.Commit != "" {
		met = "NO (a commit was written)"
	}
	if !strings.HasPrefix(met, "yes") {
		failures++
	}
	rows = append(rows, row{step: "ingest (no-op)", dur: noop.dur, items: docs, unit: "docs", rssKiB: noop.rssKiB,
		anchor: "ingest (full)", anchorDur: full.dur, ratio: nr, ratioLabel: "time ×", goal: noopGoal, met: met, repo: repoAfter(ws)})

	// 1% of documents changed.
	changed := 0
	if s.docs > 0 {
		step := max(1, int(100/s.changePct))
		for d := 0; d < s.docs; d += step {
			if err := writeDoc(mdRoot, d, s.sections, 1); err != nil {
				return 1, err
			}
			changed++
		}
	}
	inc, err := c.kb(ctx, "ingest", "--json")
	if err != nil {
		return 1, err
	}
	irep, _ := parseIngest(inc.out)
	_, ich, _ := irep.counts()
	ir := ratio(inc.dur, full.dur)
	incGoal, met := check("ingest (changed)", ir)
	if ich != changed {
		met += fmt.Sprintf(" (changed %d units, want %d)", ich, changed)
	}
	if !strings.HasPrefix(met, "yes") {
		failures++
	}
	rows = append(rows, row{step: fmt.Sprintf("ingest (%g%% changed)", s.changePct), dur: inc.dur, items: changed, unit: "docs", rssKiB: inc.rssKiB,
		anchor: "ingest (full)", anchorDur: full.dur, ratio: ir, ratioLabel: "time ×", goal: incGoal, met: met, repo: repoAfter(ws)})

	if s.ingestOnly {
		return report(stdout, s, rows, len(pdfCopies), added, docs, failures)
	}

	// Approvals: every stage as its configured reviewer, then verify and
	// merge, each against the git anchor of the same number of files.
	units := added
	gitAnchorName := fmt.Sprintf("git add+commit, %d files", units)
	cycle := func(step, key string, args ...string) error {
		r, err := c.kb(ctx, args...)
		if err != nil {
			return err
		}
		rt := ratio(r.dur, gitDur)
		g, met := check(key, rt)
		if !strings.HasPrefix(met, "yes") {
			failures++
		}
		rs, err := measureRepo(ws)
		if err != nil {
			return err
		}
		rows = append(rows, row{step: step, dur: r.dur, items: units, unit: "units", rssKiB: r.rssKiB,
			anchor: gitAnchorName, anchorDur: gitDur, ratio: rt, ratioLabel: "time ×", goal: g, met: met, repo: rs.String()})
		return nil
	}
	for _, st := range [][2]string{{"technical", "ana@example.com"}, {"expression", "tom@example.com"}, {"consistency", "carol@example.com"}} {
		// The corpus manuals contradict themselves where one manual covers
		// two devices (and the copies repeat it): approved over, as the
		// eval workspace does, so every unit is recorded.
		args := append([]string{"review", "approve", "--stage", st[0], "--as", st[1], "--all-mine"}, evaltest.Waivers...)
		if err := cycle("approve "+st[0], "approve", args...); err != nil {
			return 1, err
		}
	}
	if err := cycle("review verify", "review verify", "review", "verify", "--base", "main", "--head", "kbops/review"); err != nil {
		return 1, err
	}
	if err := cycle("review merge", "review merge", "review", "merge", "--as", "ana@example.com"); err != nil {
		return 1, err
	}

	// Publish vs a raw batch import of the same objects, before and after
	// (into fresh collections), so neither side gains from the other's load.
	objs, err := approvedObjects(ws)
	if err != nil {
		return 1, err
	}
	wc, err := publish.Connect(ctx, "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		return 1, err
	}
	rawBefore, err := publishbench.RawImport(ctx, wc, "RawBefore", objs)
	if err != nil {
		return 1, err
	}
	pub, err := c.kb(ctx, "publish", "--json")
	if err != nil {
		return 1, err
	}
	var pres struct {
		Written int `json:"written"`
		Deleted int `json:"deleted"`
	}
	_ = json.Unmarshal(lastJSON(pub.out), &pres)
	rawAfter, err := publishbench.RawImport(ctx, wc, "RawAfter", objs)
	if err != nil {
		return 1, err
	}
	raw := (rawBefore + rawAfter) / 2
	pr := ratio(raw, pub.dur) // rate ratio: publish rate / raw rate
	pubGoal, met := check("publish", pr)
	if pres.Written != len(objs) {
		met += fmt.Sprintf(" (wrote %d of %d)", pres.Written, len(objs))
	}
	if !strings.HasPrefix(met, "yes") {
		failures++
	}
	rows = append(rows, row{step: "publish", dur: pub.dur, items: len(objs), unit: "objects", rssKiB: pub.rssKiB,
		anchor: "raw batch import", anchorDur: raw, ratio: pr, ratioLabel: "rate ×", goal: pubGoal, met: met})

	pn, err := c.kb(ctx, "publish", "--json")
	if err != nil {
		return 1, err
	}
	pres.Written, pres.Deleted = -1, -1
	_ = json.Unmarshal(lastJSON(pn.out), &pres)
	met = yesNo(pres.Written == 0 && pres.Deleted == 0, fmt.Sprintf("wrote %d, deleted %d", pres.Written, pres.Deleted))
	if !strings.HasPrefix(met, "yes") {
		failures++
	}
	rows = append(rows, row{step: "publish (no-op)", dur: pn.dur, items: len(objs), unit: "objects", rssKiB: pn.rssKiB,
		anchor: "publish", anchorDur: pub.dur, ratio: ratio(pn.dur, pub.dur), ratioLabel: "time ×", goal: "writes nothing", met: met})

	ri, err := c.kb(ctx, "reindex", "--json")
	if err != nil {
		return 1, err
	}
	rows = append(rows, row{step: "reindex", dur: ri.dur, items: len(objs), unit: "objects", rssKiB: ri.rssKiB,
		anchor: "raw batch import", anchorDur: raw, ratio: ratio(raw, ri.dur), ratioLabel: "rate ×", goal: "report"})

	// The repository after the whole cycle against one pack of all its
	// reachable objects (what `git gc` would leave).
	rs, err := measureRepo(ws)
	if err != nil {
		return 1, err
	}
	packed, err := packedSize(ctx, ws)
	if err != nil {
		return 1, err
	}
	sr := float64(rs.bytes) / float64(max(packed, 1))
	sizeGoal, met := check("repository (packed)", sr)
	if !strings.HasPrefix(met, "yes") {
		failures++
	}
	rows = append(rows, row{step: "repository (packed)", items: rs.loose, unit: "loose objects", size: true,
		anchor: fmt.Sprintf("one pack, %d MiB", packed>>20), ratio: sr, ratioLabel: "size ×", goal: sizeGoal, met: met, repo: rs.String()})

	code, err := report(stdout, s, rows, len(pdfCopies), added, docs, failures)
	if err != nil {
		return code, err
	}
	rc, err := retrieval(ctx, s, dir, bin, env, srv, stdout)
	if err != nil {
		return 1, err
	}
	return max(code, rc), nil
}

// report prints the table and returns the exit code: 3 when a goal was
// missed.
func report(stdout io.Writer, s settings, rows []row, pdfs, added, docs, failures int) (int, error) {
	rssGoal := added >= rssGoalUnits
	for i := range rows {
		if rows[i].rssKiB > int64(s.rssLimitMiB)*1024 {
			rows[i].met = strings.TrimPrefix(rows[i].met+"; RSS over limit", "; ")
			failures++
		} else if rssGoal && rows[i].rssKiB > rssGoalMiB*1024 {
			rows[i].met = strings.TrimPrefix(rows[i].met+fmt.Sprintf("; RSS over %d MiB", rssGoalMiB), "; ")
			failures++
		}
	}
	fmt.Fprintf(stdout, "\nkbops-bench: %d documents × %d sections, %d PDFs, %d tickets → %d units (%d documents) on %s\n\n",
		s.docs, s.sections, pdfs, s.tickets, added, docs, time.Now().UTC().Format("2006-01-02"))
	printTable(stdout, rows, s.rssLimitMiB)
	if rssGoal {
		fmt.Fprintf(stdout, "peak RSS goal %d MiB per step checked (the run has at least %d units)\n", rssGoalMiB, rssGoalUnits)
	} else {
		fmt.Fprintf(stdout, "peak RSS goal %d MiB per step not checked: it holds for runs of at least %d units, this one has %d\n", rssGoalMiB, rssGoalUnits, added)
	}
	if failures > 0 {
		fmt.Fprintf(stdout, "\n%d goal(s) missed\n", failures)
		return 3, nil
	}
	fmt.Fprintln(stdout, "\nall goals met")
	return 0, nil
}

func yesNo(ok bool, why string) string {
	if ok {
		return "yes"
	}
	return "NO (" + why + ")"
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

func printTable(w io.Writer, rows []row, limit int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\ttime\titems\trate\tpeak RSS\tanchor\tanchor time\tratio\tgoal\tmet\trepository .git\t")
	for _, r := range rows {
		tm, rate, rss := fmtDur(r.dur), "", fmt.Sprintf("%d MiB", r.rssKiB/1024)
		if r.size {
			tm, rss = "", ""
		}
		if r.dur > 0 && r.items > 0 {
			rate = fmt.Sprintf("%.0f %s/s", float64(r.items)/r.dur.Seconds(), r.unit)
		}
		anchorDur, rt := "", ""
		if r.anchor != "" {
			if !r.size {
				anchorDur = fmtDur(r.anchorDur)
			}
			rt = fmt.Sprintf("%.3f %s", r.ratio, r.ratioLabel)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.step, tm, r.items, r.unit, rate,
			rss, r.anchor, anchorDur, rt, r.goal, r.met, r.repo)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ntime × = step time / anchor time (lower is better); rate × = step rate / anchor rate (higher is better); RSS limit %d MiB per step\n", limit)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Millisecond).String()
	}
}

// ingestReport is the part of `kbops ingest --json` the harness reads.
type ingestReport struct {
	Commit  string `json:"commit"`
	Sources []struct {
		Documents int `json:"documents"`
		Added     int `json:"units_added"`
		Changed   int `json:"units_changed"`
		Retired   int `json:"units_retired"`
	} `json:"sources"`
}

func (r ingestReport) counts() (added, changed, retired int) {
	for _, s := range r.Sources {
		added, changed, retired = added+s.Added, changed+s.Changed, retired+s.Retired
	}
	return
}

func (r ingestReport) documents() int {
	n := 0
	for _, s := range r.Sources {
		n += s.Documents
	}
	return n
}

func parseIngest(b []byte) (ingestReport, error) {
	var r ingestReport
	if err := json.Unmarshal(lastJSON(b), &r); err != nil {
		return r, fmt.Errorf("ingest --json: %w", err)
	}
	return r, nil
}

// lastJSON returns the JSON document in out (commands may print a line
// before it, such as "starting the embedded Weaviate").
func lastJSON(out []byte) []byte {
	if i := bytes.IndexByte(out, '{'); i >= 0 {
		return out[i:]
	}
	return out
}

func branchHash(ws, branch string) (string, error) {
	r, err := kbrepo.Open(ws)
	if err != nil {
		return "", err
	}
	h, _, err := r.Branch(branch)
	return h.String(), err
}

// gitAnchor writes the review branch's unit files to a scratch folder and
// times `git add -A && git commit` of them in a new repository.
func gitAnchor(ctx context.Context, ws, scratch string, env []string) (time.Duration, error) {
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return 0, err
	}
	arch := exec.CommandContext(ctx, "sh", "-c", "git -C \"$1\" archive kbops/review units | tar -x -C \"$2\"", "sh", ws, scratch)
	if out, err := arch.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("export units: %w: %s", err, out)
	}
	if _, err := runChild(ctx, env, "git", "-C", scratch, "init", "-q"); err != nil {
		return 0, err
	}
	// No background `git gc --auto`: it would still be writing into the
	// scratch repository while it is removed.
	r, err := runChild(ctx, env, "sh", "-c", "cd \"$1\" && git -c gc.auto=0 add -A && git -c gc.auto=0 commit -q -m bench", "sh", scratch)
	if err != nil {
		return 0, err
	}
	// The removal is cleanup; a failure there does not void the timing.
	_ = os.RemoveAll(scratch)
	return r.dur, nil
}

// repoAfter is the repository's size for a row; a failure to measure is
// shown in its place, as it does not void the step.
func repoAfter(ws string) string {
	rs, err := measureRepo(ws)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return rs.String()
}

// packedSize is the size of one pack of every object reachable from the
// repository's refs, as `git gc` would write it, without touching the
// repository.
func packedSize(ctx context.Context, ws string) (int64, error) {
	cmd := exec.CommandContext(ctx, "sh", "-c", "git -C \"$1\" rev-list --objects --all | git -C \"$1\" pack-objects --stdout -q", "sh", ws)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, out)
	if werr := cmd.Wait(); werr != nil {
		return 0, fmt.Errorf("git pack-objects: %w: %s", werr, errb.String())
	}
	return n, err
}

// approvedObjects reads the active units on main (all approved by the
// harness) and builds the objects publish writes for them.
func approvedObjects(ws string) ([]publish.Object, error) {
	r, err := kbrepo.Open(ws)
	if err != nil {
		return nil, err
	}
	h, ok, err := r.Branch("main")
	if err != nil || !ok {
		return nil, fmt.Errorf("main: %v", err)
	}
	tree, err := r.Tree(h)
	if err != nil {
		return nil, err
	}
	var us []*knowledge.Unit
	for p, e := range tree {
		id, ok := knowledge.IDFromPath(p)
		if !ok {
			continue
		}
		b, err := r.Read(e.Hash)
		if err != nil {
			return nil, err
		}
		u, err := knowledge.Parse(id, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if u.Status == knowledge.StatusActive {
			us = append(us, &u)
		}
	}
	return publish.Objects(us, nil, nil), nil
}

// writeWorkspace writes kbops.yaml and OWNERS for `kbops init`.
func writeWorkspace(ws, url, grpc string, tickets bool) error {
	if err := os.MkdirAll(ws, 0o755); err != nil {
		return err
	}
	cfg := `version: 1
languages: [en, zh, es, de, fr, pt, ar, ru, ja]
defaults:
  language: en
  access: internal
sources:
  - name: manuals
    kind: manuals
    location: ../corpus/manuals
    owner: ana@example.com
    product: vf-100
`
	if tickets {
		cfg += `  - name: tickets
    kind: tickets
    location: ../corpus/tickets
    owner: ana@example.com
    product: vf-100
    extract:
      preset: tobi-bueck
`
	}
	cfg += `review:
  branch: kbops/review
  main: main
weaviate:
  collection: KnowledgeUnit
  url: ` + url + `
  grpc: ` + grpc + `
git:
  author: "kbops <kbops@example.com>"
`
	langs := []string{"en", "zh", "es", "de", "fr", "pt", "ar", "ru", "ja", "it", "nl", "pl", "ko", "und"}
	owners := "technical:\n  \"*\": [ana@example.com]\nexpression:\n"
	for _, l := range langs {
		owners += "  " + l + ": [tom@example.com]\n"
	}
	owners += "consistency: [carol@example.com]\nadmins: [ana@example.com]\n"
	if err := os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(cfg), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(ws, "OWNERS"), []byte(owners), 0o644)
}
