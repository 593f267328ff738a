package segment

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
)

func TestSentences(t *testing.T) {
	cases := map[string][]string{
		"Press the key. The LED blinks! Done?":            {"Press the key. ", "The LED blinks! ", "Done?"},
		"Use e.g. a screwdriver, i.e. a tool. Next step.": {"Use e.g. a screwdriver, i.e. a tool. ", "Next step."},
		"Siehe z.B. Abb. 3 und Nr. 5 usw. Dann weiter.":   {"Siehe z.B. Abb. 3 und Nr. 5 usw. Dann weiter."},
		"See section 3.2. It covers grounding.":           {"See section 3.2. It covers grounding."},
		"打开工程。编译下载！是否成功？完成":                               {"打开工程。", "编译下载！", "是否成功？", "完成"},
		"「はい。」と言った。次へ":                                    {"「はい。」", "と言った。", "次へ"},
		"Apples, pears, etc. are fruit. Lemons are too.":  {"Apples, pears, etc. are fruit. ", "Lemons are too."},
		"Voltage is 5 V. Current is 2 A.":                 {"Voltage is 5 V. ", "Current is 2 A."},
	}
	for in, want := range cases {
		got := Sentences(in)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Sentences(%q)\n got %q\nwant %q", in, got, want)
		}
		if strings.Join(got, "") != in {
			t.Errorf("pieces of %q do not join back", in)
		}
	}
}

func para(n int, word string) string {
	return strings.TrimSpace(strings.Repeat(word+" is a word in a sentence. ", n))
}

func TestSplitLongSectionStableHeadings(t *testing.T) {
	table := "| a | b |\n| --- | --- |\n" + strings.Repeat("| cell | value |\n", 150)
	proc := ""
	for i := 1; i <= 40; i++ {
		proc += fmt.Sprintf("%d. Do step number %d of the procedure carefully.\n", i, i)
	}
	code := "```sh\n" + strings.Repeat("echo line\n", 300) + "```"
	text := strings.Join([]string{para(40, "alpha"), table, para(40, "beta"), proc, code, para(200, "gamma")}, "\n\n")
	secs := []sources.Section{
		{Headings: []string{"Short"}, Text: "tiny"},
		{Headings: []string{"3 Install", "3.2 Ground"}, Text: text, Locator: "pp. 4–9"},
	}
	out := Split(secs, Options{Target: 1500, Max: 4000})
	if !reflect.DeepEqual(out[0], secs[0]) {
		t.Errorf("a section that fits changed: %+v", out[0])
	}
	if len(out) < 5 {
		t.Fatalf("long section gave %d parts", len(out)-1)
	}
	if got := out[1].Headings; !reflect.DeepEqual(got, []string{"3 Install", "3.2 Ground"}) {
		t.Errorf("first part headings %v", got)
	}
	var joined []string
	for i, p := range out[1:] {
		if i > 0 && p.Headings[1] != fmt.Sprintf("3.2 Ground (%d)", i+1) {
			t.Errorf("part %d heading %q", i+1, p.Headings[1])
		}
		if p.Locator != "pp. 4–9" {
			t.Errorf("part %d locator %q", i+1, p.Locator)
		}
		joined = append(joined, p.Text)
		// Atomic blocks are whole in one part.
		if strings.Contains(p.Text, "| cell") && strings.Count(p.Text, "| cell") != 150 {
			t.Errorf("table split: part %d has %d rows", i+1, strings.Count(p.Text, "| cell"))
		}
		if strings.Contains(p.Text, "1. Do step") != strings.Contains(p.Text, "40. Do step") {
			t.Errorf("procedure split in part %d", i+1)
		}
		if strings.Contains(p.Text, "```") && strings.Count(p.Text, "```") != 2 {
			t.Errorf("code block split in part %d", i+1)
		}
	}
	if strings.Join(strings.Fields(strings.Join(joined, " ")), " ") != strings.Join(strings.Fields(text), " ") {
		t.Error("parts do not add up to the section's text")
	}
	// Editing another section leaves this section's part headings alone.
	secs[0].Text = "tiny, edited and longer"
	again := Split(secs, Options{Target: 1500, Max: 4000})
	for i := 1; i < len(out); i++ {
		if !reflect.DeepEqual(again[i].Headings, out[i].Headings) || again[i].Text != out[i].Text {
			t.Errorf("part %d changed after an edit elsewhere", i)
		}
	}
}

func TestMergeContinuedSection(t *testing.T) {
	secs := []sources.Section{
		{Headings: []string{"A"}, Text: "one", Locator: "p. 3"},
		{Headings: []string{"A"}, Text: "two", Locator: "p. 4"},
		{Headings: []string{"B"}, Text: "three", Locator: "p. 4"},
	}
	out := Split(secs, Options{})
	if len(out) != 2 || out[0].Text != "one\n\ntwo" || out[0].Locator != "pp. 3–4" {
		t.Errorf("got %+v", out)
	}
}

func TestCJKLongParagraph(t *testing.T) {
	text := strings.Repeat("这是一个用于测试的中文句子，内容关于评估板的使用。", 300)
	out := Split([]sources.Section{{Headings: []string{"概述"}, Text: text}}, Options{Target: 1500, Max: 4000})
	if len(out) < 3 {
		t.Fatalf("%d parts", len(out))
	}
	for _, p := range out {
		if runes(p.Text) > 1600 {
			t.Errorf("part of %d runes", runes(p.Text))
		}
		if !strings.HasSuffix(p.Text, "。") {
			t.Errorf("part does not end at a sentence: %q", p.Text[len(p.Text)-12:])
		}
	}
}

// A ticket scenario is never cut or joined: its unit is one field case.
func TestScenarioSectionsStayWhole(t *testing.T) {
	long := strings.Repeat("The drive trips with E07 after rain; dry the terminal box. ", 200)
	secs := []sources.Section{
		{Headings: nil, Text: "short one", Layer: "scenario", Continues: "a"},
		{Headings: nil, Text: "short two", Layer: "scenario", Continues: "b"},
		{Headings: []string{"Drives", "ticket 7"}, Text: long, Layer: "scenario"},
	}
	out := Split(secs, Options{})
	if len(out) != 3 || out[0].Text != "short one" || out[1].Text != "short two" || out[2].Text != long {
		t.Errorf("scenario sections changed: %d sections", len(out))
	}
}
