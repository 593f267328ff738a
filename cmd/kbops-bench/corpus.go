package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Words of the generated manuals and tickets. Text is drawn from it with a
// seeded generator, so a run with the same sizes reads the same corpus.
var (
	nouns = strings.Fields(`inverter drive motor encoder relay contactor fuse terminal cable shield
		brake resistor fan heatsink display keypad parameter register firmware bootloader sensor
		valve pump compressor controller gateway module filter transformer capacitor bus channel
		interface port connector housing bracket gasket bearing coupling spindle actuator`)
	verbs = strings.Fields(`sets limits reports monitors disables enables resets calibrates stores
		selects reduces raises measures protects switches filters checks logs clears locks`)
	// No adjective is a qualifier ("maximum") or a filler word ("rated")
	// of the parameter phrases reviews reads: see sentence.
	adjs = strings.Fields(`nominal upper lower auxiliary internal external analogue digital primary
		secondary redundant optional default permanent temporary thermal electrical mechanical`)
	units = strings.Fields(`ms s V A kW Hz rpm °C mm bar`)
)

// sentence states one parameter value: "The thermal relay limits the
// digital encoder to 4032 ms on channel 7." The parameter the technical
// review reads is the four words before the value, and the value and its
// unit are a function of those words: every unit stating a parameter
// states the same value, so the generated base has no contradictions and
// approve measures the review of a clean base (the cost of conflict
// detection, with a parameter stated by thousands of units, is measured
// on its own in reviews' BenchmarkFindConflictsOneParameter).
func sentence(r *rand.Rand, i int) string {
	adj1, noun1, verb := adjs[r.IntN(len(adjs))], nouns[r.IntN(len(nouns))], verbs[r.IntN(len(verbs))]
	adj2, noun2 := adjs[r.IntN(len(adjs))], nouns[r.IntN(len(nouns))]
	words := []string{noun1, verb, adj2, noun2}
	slices.Sort(words) // the review reads the phrase as a set of words
	h := fnv.New32a()
	h.Write([]byte(strings.Join(words, " ")))
	v := h.Sum32()
	return fmt.Sprintf("The %s %s %s the %s %s to %d %s on channel %d.",
		adj1, noun1, verb, adj2, noun2, v%10000, units[(v/10000)%uint32(len(units))], i)
}

func paragraph(r *rand.Rand, n, salt int) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sentence(r, salt+k))
	}
	return b.String()
}

// docPath is the file of Markdown document d.
func docPath(root string, d int) string {
	return filepath.Join(root, fmt.Sprintf("p%02d", d%50), fmt.Sprintf("manual-%05d.md", d))
}

// writeDoc writes Markdown document d with sections sections; edit > 0
// changes the text of its first section (the 1% change step).
func writeDoc(root string, d, sections, edit int) error {
	r := rand.New(rand.NewPCG(uint64(d), 42))
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Manual %05d\nlanguage: en\nproduct: vf-%d\n---\n\n", d, 100+d%50)
	for s := 0; s < sections; s++ {
		fmt.Fprintf(&b, "# %s %s %d-%d\n\n", strings.ToUpper(nouns[(d+s)%len(nouns)][:1])+nouns[(d+s)%len(nouns)][1:], "settings", d, s)
		b.WriteString(paragraph(r, 6, d*100+s))
		if s == 0 && edit > 0 {
			fmt.Fprintf(&b, " Revision %d: the limit was corrected after field reports.", edit)
		}
		b.WriteString("\n\n")
	}
	p := docPath(root, d)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(b.String()), 0o644)
}

// writeTickets writes n solved tickets as a CSV export in the layout of the
// public multilingual ticket data set (preset tobi-bueck).
func writeTickets(path string, n int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	_ = w.Write([]string{"subject", "body", "answer", "type", "queue", "priority", "language", "tag_1", "tag_2"})
	r := rand.New(rand.NewPCG(7, 7))
	types := []string{"Incident", "Problem", "Request", "Question"}
	queues := []string{"Technical Support", "Product Support", "Service Outages", "Returns"}
	for i := 0; i < n; i++ {
		noun := nouns[r.IntN(len(nouns))]
		rec := []string{
			fmt.Sprintf("%s fault E%d on unit %d", strings.ToUpper(noun[:1])+noun[1:], r.IntN(100), i),
			paragraph(r, 3, i) + " Error code E" + strconv.Itoa(i) + " appears after start.",
			paragraph(r, 3, i+7) + " Replace the " + noun + " and restart; ticket reference " + strconv.Itoa(i) + ".",
			types[r.IntN(len(types))], queues[r.IntN(len(queues))], "medium", "en", noun, "field",
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// copyPDFs copies every PDF under src copies times, under new names, into
// dst, and returns the copies' paths.
func copyPDFs(src, dst string, copies int) ([]string, error) {
	if src == "" || copies <= 0 {
		return nil, nil
	}
	matches, _ := filepath.Glob(filepath.Join(src, "*.pdf"))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		for c := 0; c < copies; c++ {
			p := filepath.Join(dst, fmt.Sprintf("copy%d-%s", c, filepath.Base(m)))
			if err := copyFile(m, p); err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
