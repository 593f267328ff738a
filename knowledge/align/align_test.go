package align_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/align"
)

type sec struct{ title, page, body string }

func edition(product, lang, docName string, secs []sec) []*knowledge.Unit {
	var out []*knowledge.Unit
	for i, s := range secs {
		out = append(out, &knowledge.Unit{
			ID: fmt.Sprintf("m/%s/s%02d", docName, i), Title: s.title, Body: s.body, Language: lang,
			Product: product, Layer: knowledge.LayerCore, Status: knowledge.StatusActive,
			Source: knowledge.Source{Name: "m", Kind: "manuals", Document: docName + ".pdf", Locator: s.page},
		})
	}
	return out
}

var (
	en = []sec{
		{"1 Safety", "p. 2", "Read all safety instructions before using the LX-200 laser. Keep children away."},
		{"2 Charging", "p. 3", "Charge the 3.7 V battery for 4 h with the USB-C charger CH-12."},
		{"3 Calibration", "p. 5", "Hold MODE and SET for 3 s. The display shows CAL."},
		{"Technical data", "p. 7", "Range 30 m, accuracy ±0.2 mm/m, IP54, 2600 mAh."},
	}
	de = []sec{
		{"Technische Daten", "p. 7", "Reichweite 30 m, Genauigkeit ±0.2 mm/m, IP54, 2600 mAh."},
		{"1 Sicherheit", "p. 2", "Lesen Sie alle Sicherheitshinweise, bevor Sie den LX-200 Laser benutzen. Halten Sie Kinder fern."},
		{"3 Kalibrierung", "p. 5", "Halten Sie MODE und SET 3 s lang gedrückt. Das Display zeigt CAL."},
		{"2 Laden", "p. 3", "Laden Sie den 3,7-V-Akku 4 h lang mit dem USB-C-Ladegerät CH-12."},
	}
	zh = []sec{
		{"一、安全", "p. 2", "使用 LX-200 激光仪前请阅读所有安全说明。请远离儿童。"},
		{"二、充电", "p. 3", "使用 USB-C 充电器 CH-12 为 3.7 V 电池充电 4 h。"},
		{"三、校准", "p. 5", "按住 MODE 和 SET 3 s。显示屏显示 CAL。"},
		{"技术参数", "p. 7", "量程 30 m，精度 ±0.2 mm/m，IP54，2600 mAh。"},
	}
)

// Sections of three editions pair by meaning, whatever order the units
// come in; the relation is symmetric and goes through the third edition.
func TestEditionsPairSectionBySection(t *testing.T) {
	var units []*knowledge.Unit
	units = append(units, edition("lx", "en", "lx_en", en)...)
	units = append(units, edition("lx", "de-DE", "lx_de", de)...)
	units = append(units, edition("lx", "zh-CN", "lx_zh", zh)...)
	sib := align.Siblings(units, align.Options{})
	for _, c := range []struct {
		id   string
		want []string
	}{
		{"m/lx_en/s00", []string{"m/lx_de/s01", "m/lx_zh/s00"}},
		{"m/lx_en/s01", []string{"m/lx_de/s03", "m/lx_zh/s01"}},
		{"m/lx_en/s02", []string{"m/lx_de/s02", "m/lx_zh/s02"}},
		{"m/lx_en/s03", []string{"m/lx_de/s00", "m/lx_zh/s03"}},
		{"m/lx_de/s03", []string{"m/lx_en/s01", "m/lx_zh/s01"}},
		{"m/lx_zh/s02", []string{"m/lx_de/s02", "m/lx_en/s02"}},
	} {
		if got := sib[c.id]; !slices.Equal(got, c.want) {
			t.Errorf("siblings of %s: %v, want %v", c.id, got, c.want)
		}
	}
}

// Two manuals that are not editions of one another do not pair, although
// they share a product and some words; nor do editions of two products,
// units of one language, or units that are not manual sections.
func TestUnrelatedDocumentsGetNoSiblings(t *testing.T) {
	other := []sec{
		{"1 Mounting the bracket", "p. 2", "Fix the wall bracket WB-3 with four screws M4 x 30."},
		{"2 Cleaning", "p. 3", "Wipe the housing with a damp cloth."},
		{"Spare parts", "p. 4", "WB-3 bracket, M4 screws, cloth."},
		{"Warranty", "p. 5", "Two years from purchase."},
	}
	var units []*knowledge.Unit
	units = append(units, edition("lx", "en", "bracket_en", other)...)
	units = append(units, edition("lx", "de", "lx_de", de)...)
	units = append(units, edition("other-product", "zh", "lx_zh", zh)...)
	units = append(units, edition("lx", "en", "lx_en_copy", en)...)
	units = append(units, edition("lx", "en", "lx_en", en)...)
	notes := edition("lx", "zh", "notes_zh", zh)
	for _, u := range notes {
		u.Source.Kind = "notes"
	}
	units = append(units, notes...)
	sib := align.Siblings(units, align.Options{})
	for id, s := range sib {
		for _, x := range s {
			if strings.HasPrefix(x, "m/bracket_en") || strings.HasPrefix(id, "m/bracket_en") {
				t.Errorf("the bracket manual paired: %s ~ %s", id, x)
			}
			if strings.HasPrefix(x, "m/lx_zh") || strings.HasPrefix(x, "m/notes_zh") {
				t.Errorf("another product's edition or a note paired: %s ~ %s", id, x)
			}
		}
	}
	// Two English copies compete for the German sections: each German
	// section has one English sibling, not two.
	for _, u := range units {
		if u.Language != "de" {
			continue
		}
		if n := len(sib[u.ID]); n != 1 {
			t.Errorf("%s has %d siblings %v, want one English", u.ID, n, sib[u.ID])
		}
	}
}

// Two copies of each edition (a manual ingested from two places) score
// alike to the float: which copy a unit is paired with is the same in
// every run, or each publish would rewrite the objects whose sibling
// changed.
func TestCopiesOfEditionsPairTheSameEveryRun(t *testing.T) {
	// Sections that share many codes and values, in varying numbers, so
	// that the scores are sums of many unequal terms.
	var ens, des []sec
	for i := range 12 {
		var codes []string
		for j := range 8 + i*3 {
			codes = append(codes, fmt.Sprintf("K%d-%d", (i*7+j)%23, j), fmt.Sprintf("%d.%d V", i+j, j%7))
		}
		c := strings.Join(codes, ", ")
		ens = append(ens, sec{fmt.Sprintf("%d Settings", i+1), fmt.Sprintf("p. %d", i+2), "Set the values " + c + " as listed."})
		des = append(des, sec{fmt.Sprintf("%d Einstellungen", i+1), fmt.Sprintf("p. %d", i+2), "Stellen Sie die Werte " + c + " wie angegeben ein."})
	}
	var units []*knowledge.Unit
	for _, c := range []string{"a", "b"} {
		units = append(units, edition("lx", "en", "lx_en_"+c, ens)...)
		units = append(units, edition("lx", "de", "lx_de_"+c, des)...)
	}
	first := fmt.Sprint(align.Pairs(units, align.Options{}))
	for range 50 {
		if got := fmt.Sprint(align.Pairs(units, align.Options{})); got != first {
			t.Fatalf("pairs differ between runs:\n%s\n%s", first, got)
		}
	}
}
