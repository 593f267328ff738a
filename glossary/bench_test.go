package glossary

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
)

// The benchmarks generate their data: a 50,000-term glossary in nine
// languages and 100 MB of text in the same languages (10 MB with -short),
// cut into units of about 4 KB, with a term every twenty words or so.
// Run them with
//
//	go test ./glossary -run '^$' -bench . -benchtime 1x -cpu 1
//
// MB/s-cpu divides the bytes by the CPU time the process used (garbage
// collection included), which stays meaningful on a shared machine; peak
// memory is best read with /usr/bin/time -v on the test binary.

var benchLangs = []string{"en", "de", "es", "fr", "pt", "ru", "ar", "zh", "ja"}

type benchGen struct {
	rng   *rand.Rand
	vocab map[string][]string // per language: ordinary words
}

func newBenchGen() *benchGen {
	g := &benchGen{rng: rand.New(rand.NewPCG(7, 11)), vocab: map[string][]string{}}
	for _, l := range benchLangs {
		words := make([]string, 3000)
		for i := range words {
			words[i] = g.word(l)
		}
		g.vocab[l] = words
	}
	return g
}

// Syllable inventories large enough that words rarely collide by chance,
// as in real languages.
var (
	latinSyl    = syllables(strings.Fields("b c d f g h k l m n p r s t v w z br kr st tr pl gr sch sp"), strings.Fields("a e i o u ei au"), strings.Fields("_ n r s l t"))
	accented    = strings.Fields("é ü ö ñ ç ã è à ß â")
	cyrillicSyl = syllables(strings.Fields("б в г д ж з к л м н п р с т ф х ц ч ш пр ст тр"), strings.Fields("а е и о у ы я ю"), strings.Fields("_ н р с л т й"))
	arabicSyl   = syllables(strings.Fields("ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ع غ ف ق ك ل م ن ه"), strings.Fields("ا و ي"), strings.Fields("_ ن ر ل م"))
	katakanaSyl = strings.Fields("カ キ ク ケ コ サ シ ス セ ソ タ チ ツ テ ト ナ ニ ヌ ネ ノ ハ ヒ フ ヘ ホ マ ミ ム メ モ ラ リ ル レ ロ ア イ ウ エ オ ガ ギ グ ゲ ゴ バ ビ ブ ベ ボ パ ピ プ ペ ポ ー ン")
)

func syllables(onsets, vowels, codas []string) []string {
	var out []string
	for _, o := range onsets {
		for _, v := range vowels {
			for _, c := range codas {
				out = append(out, strings.TrimSuffix(o+v+c, "_"))
			}
		}
	}
	return out
}

func (g *benchGen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// word makes one word of a language.
func (g *benchGen) word(lang string) string {
	var b strings.Builder
	n := 2 + g.rng.IntN(3)
	switch lang {
	case "ru":
		for i := 0; i < n; i++ {
			b.WriteString(g.pick(cyrillicSyl))
		}
	case "ar":
		for i := 0; i < n; i++ {
			b.WriteString(g.pick(arabicSyl))
		}
	case "zh":
		for i := 0; i < 1+g.rng.IntN(3); i++ {
			b.WriteRune(rune(0x4E00 + g.rng.IntN(0x1400)))
		}
	case "ja":
		if g.rng.IntN(2) == 0 {
			for i := 0; i < n+1; i++ {
				b.WriteString(g.pick(katakanaSyl))
			}
		} else {
			for i := 0; i < 2; i++ {
				b.WriteRune(rune(0x4E00 + g.rng.IntN(0x1400)))
			}
			b.WriteRune(rune(0x3041 + g.rng.IntN(80))) // hiragana
		}
	default:
		for i := 0; i < n; i++ {
			b.WriteString(g.pick(latinSyl))
			if g.rng.IntN(8) == 0 && lang != "en" {
				b.WriteString(g.pick(accented))
			}
		}
	}
	return b.String()
}

// term makes a term of one to three words. Words of multi-word terms are
// ordinary words half of the time ("frequency inverter"); one-word terms
// are not ordinary words ("Frequenzumrichter", "encoder"). CJK terms have
// no spaces.
func (g *benchGen) term(lang string) string {
	w := func() string {
		if g.rng.IntN(2) == 0 {
			return g.pick(g.vocab[lang])
		}
		return g.word(lang)
	}
	switch lang {
	case "zh", "ja":
		return w() + w()
	case "de":
		if g.rng.IntN(2) == 0 {
			c := w() + w()
			return strings.ToUpper(c[:1]) + c[1:]
		}
	}
	n := 1 + g.rng.IntN(3)
	if n == 1 {
		return g.word(lang)
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = w()
	}
	return strings.Join(parts, " ")
}

// benchTermbase makes concepts with a preferred term in each of the nine
// languages until there are terms terms; one concept in ten also has a
// deprecated (or, one in twenty, a forbidden) synonym in each language.
func benchTermbase(b *testing.B, g *benchGen, terms int) (*Termbase, map[string][]string) {
	b.Helper()
	tb := New()
	byLang := map[string][]string{}
	n := 0
	for i := 0; n < terms; i++ {
		c := &Concept{ID: fmt.Sprintf("c%d", i)}
		for _, l := range benchLangs {
			ls := LangSec{Locale: l}
			t := g.term(l)
			byLang[l] = append(byLang[l], t)
			ls.Terms = append(ls.Terms, Term{Text: t, Status: StatusPreferred})
			if i%10 == 0 {
				st := StatusDeprecated
				if i%20 == 0 {
					st = StatusForbidden
				}
				t := g.term(l)
				byLang[l] = append(byLang[l], t)
				ls.Terms = append(ls.Terms, Term{Text: t, Status: st})
			}
			n += len(ls.Terms)
			c.Langs = append(c.Langs, ls)
		}
		if err := tb.Put(c); err != nil {
			b.Fatal(err)
		}
	}
	return tb, byLang
}

// benchUnits makes about size bytes of units of ~4 KB, each in one
// language, with a term of that language every twenty words or so.
func benchUnits(g *benchGen, byLang map[string][]string, size int) ([]*knowledge.Unit, int) {
	var units []*knowledge.Unit
	total := 0
	for n := 0; total < size; n++ {
		lang := benchLangs[n%len(benchLangs)]
		sep := " "
		if lang == "zh" || lang == "ja" {
			sep = ""
		}
		var b strings.Builder
		words := 0
		for b.Len() < 4096 {
			if g.rng.IntN(20) == 0 {
				b.WriteString(g.pick(byLang[lang]))
			} else {
				b.WriteString(g.pick(g.vocab[lang]))
			}
			words++
			if words%12 == 0 {
				if sep == "" {
					b.WriteString("。\n")
				} else {
					b.WriteString(".\n")
				}
			} else {
				b.WriteString(sep)
			}
		}
		u := &knowledge.Unit{ID: fmt.Sprintf("u%d", n), Language: lang, Body: b.String(), Product: "p"}
		units = append(units, u)
		total += len(u.Body)
	}
	return units, total
}

func benchSize() int {
	if testing.Short() {
		return 10 << 20
	}
	return 100 << 20
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkNewMatcher50k builds the matcher for 50,000 terms.
func BenchmarkNewMatcher50k(b *testing.B) {
	g := newBenchGen()
	tb, _ := benchTermbase(b, g, 50000)
	b.ResetTimer()
	var m *Matcher
	for i := 0; i < b.N; i++ {
		var err error
		base := heapInUse()
		b.StartTimer()
		m, err = NewMatcher(tb, MatcherOptions{})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(heapInUse()-base)/(1<<20), "matcher-MB")
	}
	b.ReportMetric(float64(m.Patterns()), "patterns")
	b.ReportMetric(float64(m.Keys()), "start-keys")
}

// BenchmarkMatch100MB is the throughput of Matcher.Match over 100 MB of
// mixed-language text; MB/s is per core.
func BenchmarkMatch100MB(b *testing.B) {
	benchScan(b, func(m *Matcher, u *knowledge.Unit) int { return len(m.Match(u.Body, u.Language)) })
}

// BenchmarkMap100MB is the same text through the whole mapping pass
// (findings, gaps) as the ingestion pipeline runs it.
func BenchmarkMap100MB(b *testing.B) {
	benchScan(b, func(m *Matcher, u *knowledge.Unit) int { return len(m.Map(u).Matches) })
}

func benchScan(b *testing.B, f func(*Matcher, *knowledge.Unit) int) {
	g := newBenchGen()
	tb, byLang := benchTermbase(b, g, 50000)
	m, err := NewMatcher(tb, MatcherOptions{})
	if err != nil {
		b.Fatal(err)
	}
	units, total := benchUnits(g, byLang, benchSize())
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	matches := 0
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		for _, u := range units {
			matches += f(m, u)
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	b.ReportMetric(float64(matches)/float64(b.N), "matches/op")
	b.ReportMetric(float64(total)*float64(b.N)/elapsed.Seconds()/1e6, "MB/s-wall")
	if cpu > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/cpu.Seconds()/1e6, "MB/s-cpu")
	}
	b.ReportMetric(float64(len(units)), "units")
}
