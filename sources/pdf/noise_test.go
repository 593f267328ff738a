package pdf

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// In the zh evaluation-board manual the whole body is bold, so the
// numbered list of board resources is bold at body size. Its items are
// part of the hardware section, not headings of their own: a search hit on
// "2. MCU I/O 口" named as a section hid the section the answer is in.
func TestBoldBodyListItemsStayInTheirSection(t *testing.T) {
	r := extractFile(t, filepath.Join(corpusDir(t), "wch_CH32V00x_EVB_manual_zh.pdf"))
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, s := range r.secs {
		for _, h := range s.Headings {
			if strings.HasPrefix(h, "2. MCU") || strings.HasPrefix(h, "6. LED") {
				t.Errorf("list item %q is a heading (section %q)", h, strings.Join(s.Headings, " > "))
			}
		}
	}
	s := findSection(r.secs, "二、评估板硬件")
	if s == nil {
		t.Fatal(`no section "二、评估板硬件"`)
	}
	for _, want := range []string{"2. MCU I/O 口", "RST_MODE", "6. LED 通过 LED 排针", "PA1 和 PA2 作为晶振引脚"} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("section 二、评估板硬件 lacks %q:\n%s", want, s.Text)
		}
	}
	// Headings in a larger size still are headings.
	if findSection(r.secs, "三、软件开发", "3.2 IDE 使用 –MounRiver", "3.2.1 打开工程") == nil {
		t.Error(`no section "3.2.1 打开工程"`)
	}
}

// A word hyphenated at a line end comes back whole when the document
// writes it whole elsewhere ("INCLINOME-" "TER"), and a compound broken at
// its own hyphen keeps it ("pull-" "up", "WCH-" "LinkE"): a search for
// "inclinometer" finds no "INCLINOME- TER", one for "pull-up" no "pullup".
func TestLineEndHyphenation(t *testing.T) {
	dir := corpusDir(t)
	cases := []struct {
		file      string
		want      []string // in some section's text
		forbidden []string // in no section's text
	}{
		{"teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf", []string{"INCLINOMETER", "warranty"}, []string{"INCLI- ", "INCLINOME- ", "INCLINO- ", "INCLI-NOMETER", "INCLINOME-TER"}},
		{"teqsas_LAP-TEQ-PLUS_Bedienungsanleitung_de.pdf", []string{"INCLINOMETER", "Line-Arrays", "Gewährleistungsanspruch"}, []string{"INCLI- ", "INCLINOME- ", "INCLINO- ", "INCLINO-METER", "Line- Arrays", "Linearrays"}},
		{"wch_CH32V003_Reference_Manual_RM_en.pdf", []string{"pull-up", "read-protected", "half-duplex"}, []string{"pullup", "readprotected", "halfduplex", "lowpower"}},
		{"wch_WCH-Link_UserManual_en.pdf", []string{"WCH-LinkUtility", "WCH-DAPLink"}, []string{"WCH- Link", "WCHLinkUtility", "WCH- DAPLink", "WCHDAPLink"}},
	}
	for _, c := range cases {
		r := extractFile(t, filepath.Join(dir, c.file))
		if r.err != nil {
			t.Fatal(r.err)
		}
		var all strings.Builder
		for _, s := range r.secs {
			all.WriteString(s.Title + "\n" + s.Text + "\n")
		}
		for _, w := range c.want {
			if !strings.Contains(all.String(), w) {
				t.Errorf("%s: no section has %q", c.file, w)
			}
		}
		for _, f := range c.forbidden {
			if i := strings.Index(all.String(), f); i >= 0 {
				t.Errorf("%s: %q in %q", c.file, f, all.String()[max(0, i-40):min(all.Len(), i+40)])
			}
		}
	}
}

func TestJoinLinesHyphen(t *testing.T) {
	words := map[string]int{"inclinometer": 3, "pull-up": 2, "pull": 2, "up": 2}
	for _, c := range []struct{ a, b, want string }{
		{"the LAP-TEQ PLUS INCLINOME-", "TER is", "the LAP-TEQ PLUS INCLINOMETER is"},
		{"an internal pull-", "up resistor", "an internal pull-up resistor"},
		{"the Gewährleis-", "tungsanspruch", "the Gewährleistungsanspruch"}, // no evidence, lowercase: a syllable break
		{"for Line-", "Arrays", "for Line-Arrays"},                          // no evidence, capital: a compound
		{"the LAP-", "TEQ", "the LAP-TEQ"},
		{"range 1 -", "2 V", "range 1 - 2 V"},
		{"是", "否", "是否"},
	} {
		if got := joinLines(c.a, c.b, words); got != c.want {
			t.Errorf("joinLines(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

// The contents pages of the LAP-TEQ PLUS manuals made six units of dot
// leaders ("4.1 Charging the battery ...... 13") that matched a search for
// any chapter and pushed the chapter down. They are left out; the
// chapters they list are sections with their text, and no other corpus
// manual loses a line to it.
func TestTableOfContentsIsNoSection(t *testing.T) {
	dir := corpusDir(t)
	cases := []struct {
		file     string
		title    string
		sections [][]string // still there, each with text
		contains []string   // one per section
	}{
		{"teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf", "Contents",
			[][]string{{"4 Powering up", "4.1 Charging the battery"}, {"8 Calibration", "8.1 Calibration of 2 axes"}, {"1 Before you start", "Intended use"}, {"11 Technical Data", "EU Declaration of Conformity", "Manufacturer"}},
			[]string{"charg", "CAL button", "inclination", "TEQSAS"}},
		{"teqsas_LAP-TEQ-PLUS_Bedienungsanleitung_de.pdf", "Inhaltsverzeichnis",
			[][]string{{"4 Inbetriebnahme", "4.1 Akku laden"}, {"8 Kalibrierung", "8.1 Kalibrierung von 2 Achsen"}, {"1 Bevor Sie beginnen", "Bestimmungsgemäßer Gebrauch"}},
			[]string{"Akku", "CAL", "Neigung"}},
	}
	for _, c := range cases {
		r := extractFile(t, filepath.Join(dir, c.file))
		if r.err != nil {
			t.Fatal(r.err)
		}
		for _, s := range r.secs {
			leaders := 0
			for _, l := range strings.Split(s.Text, "\n") {
				if dotLeader.MatchString(l) {
					leaders++
				}
			}
			if leaders > 0 || slices.Contains(s.Headings, c.title) {
				t.Errorf("%s: section %q (%s) is contents: %d dot-leader lines: %.200q", c.file, strings.Join(s.Headings, " > "), s.Locator, leaders, s.Text)
			}
			if s.Locator == "p. 3" || s.Locator == "p. 4" || strings.HasPrefix(s.Locator, "pp. 3–") || strings.HasPrefix(s.Locator, "pp. 4–") {
				t.Errorf("%s: section %q from the contents pages (%s)", c.file, strings.Join(s.Headings, " > "), s.Locator)
			}
		}
		for i, h := range c.sections {
			s := findSection(r.secs, h...)
			if s == nil {
				t.Errorf("%s: no section %q", c.file, strings.Join(h, " > "))
				continue
			}
			if !strings.Contains(s.Text, c.contains[i]) {
				t.Errorf("%s %q: text lacks %q: %.300q", c.file, strings.Join(h, " > "), c.contains[i], s.Text)
			}
		}
	}
	for _, f := range corpusPDFs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(context.Background(), f, data, func(error) {})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range tableOfContents(d.lines, boilerplate(d.lines), docStyle(d.lines)) {
			for _, b := range m {
				if b {
					n++
				}
			}
		}
		want := 0
		if strings.HasPrefix(filepath.Base(f), "teqsas_LAP-TEQ-PLUS_") {
			want = 52 // the title and 51 entries
		}
		if n != want {
			t.Errorf("%s: %d lines taken for contents, want %d", filepath.Base(f), n, want)
		}
	}
}
