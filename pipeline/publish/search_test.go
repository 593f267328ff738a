package publish_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
)

// mixedCorpus is a few units of bilingual manuals: English and German
// units and Chinese units that, like real Chinese manuals, carry Latin
// part numbers, units and abbreviations.
func mixedCorpus() []*knowledge.Unit {
	return []*knowledge.Unit{
		mkUnit("lap/en/battery", "en", "Battery", "Charge the battery pack fully before first use. The battery charger shows a green light when charging is complete."),
		mkUnit("lap/en/scope", "en", "Scope of delivery", "The box contains the inclinometer, the charger, a USB cable and this manual."),
		mkUnit("lap/de/akku", "de", "Akku", "Laden Sie den Akku vor der ersten Benutzung vollständig auf. Das Ladegerät (charger) leuchtet grün, wenn der Akku geladen ist."),
		mkUnit("lap/de/lieferumfang", "de", "Lieferumfang", "Im Karton befinden sich der Neigungsmesser, das Ladegerät, ein USB-Kabel und diese Anleitung."),
		mkUnit("evb/zh/power", "zh-CN", "电源", "CH32V00x EVB 评估板通过 Type-C USB 接口供电，电压 5V。按下 RESET 键复位 MCU。充电 battery 时 LED 亮。"),
		mkUnit("evb/zh/debug", "zh-CN", "调试接口", "使用 WCH-LinkE 调试器连接 SWIO 引脚，在 MounRiver Studio 中下载程序。XYZ 轴传感器 easy yes lazy fuzzy。"),
		mkUnit("evb/zh/gpio", "zh-CN", "GPIO 引脚", "PA1、PC4、PD6 可配置为推挽输出或浮空输入，最大电流 20mA，电池 charge。"),
	}
}

func searchHits(t *testing.T, tg *publish.Target, q publish.Query) []publish.Hit {
	t.Helper()
	hs, err := publish.Search(context.Background(), tg, q)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// Latin text is never matched letter by letter against the Chinese and
// Japanese fields: a nonsense word finds nothing, an English question's
// best hits are the units that contain its words, and Chinese questions
// still find Chinese units.
func TestLatinQueriesDoNotMatchCJKFieldsByLetter(t *testing.T) {
	tg := target(t)
	pub(t, tg, mixedCorpus(), publish.Options{})

	if hs := searchHits(t, tg, publish.Query{Text: "xyzzy"}); len(hs) != 0 {
		t.Errorf("nonsense query found %d units, first %s (score %.1f)", len(hs), hs[0].UnitID, hs[0].Score)
	}
	for _, c := range []struct {
		query string
		want  []string // the top hits, in any order
	}{
		{"charge the battery", []string{"lap/en/battery"}},
		{"battery charger green light", []string{"lap/en/battery"}},
		{"Ladegerät leuchtet grün", []string{"lap/de/akku"}},
		{"Akku laden", []string{"lap/de/akku"}},
		{"USB cable box contains", []string{"lap/en/scope"}},
	} {
		hs := searchHits(t, tg, publish.Query{Text: c.query, Limit: 5})
		if len(hs) < len(c.want) {
			t.Errorf("%q: %d hits, want at least %d", c.query, len(hs), len(c.want))
			continue
		}
		var top []string
		for _, h := range hs[:len(c.want)] {
			top = append(top, h.UnitID)
			if strings.HasPrefix(h.Language, "zh") {
				t.Errorf("%q: Chinese unit %s ranks in the top %d (score %.1f)", c.query, h.UnitID, len(c.want), h.Score)
			}
		}
		for _, w := range c.want {
			if !strings.Contains(strings.Join(top, " "), w) {
				t.Errorf("%q: top hits %v, want %v among them", c.query, top, c.want)
			}
		}
	}
	if hs := searchHits(t, tg, publish.Query{Text: "评估板怎么供电"}); len(hs) == 0 || hs[0].UnitID != "evb/zh/power" {
		t.Errorf("Chinese query: %v", hs)
	}
	// A mixed query: the Chinese words search the Chinese field, the Latin
	// part number the word fields.
	if hs := searchHits(t, tg, publish.Query{Text: "WCH-LinkE 调试器"}); len(hs) == 0 || hs[0].UnitID != "evb/zh/debug" {
		t.Errorf("mixed query: %v", hs)
	}
}

// Glossary expansions search the glossary terms of units, not every body:
// the "de" of a Spanish term does not find every Spanish unit, and the
// Chinese term still finds the Chinese unit.
func TestExpansionsSearchTermsNotBodies(t *testing.T) {
	tg := target(t)
	us := mixedCorpus()
	es := mkUnit("m/es/tierra", "es", "Puesta a tierra", "Conecte el borne de tierra a la barra de tierra de la cabina de control.")
	derating := mkUnit("m/en/derating", "en", "Derating above 40 °C", "Above 40 °C the output current is reduced by 2 % per kelvin.")
	derating.Concepts = []string{"power-derating"}
	zh := mkUnit("m/zh/降额", "zh-CN", "降额", "环境温度超过 40 °C 时，输出电流按每开尔文 2% 降额。")
	zh.Concepts = []string{"power-derating"}
	us = append(us, es, derating, zh)
	terms := []string{"power derating", "reducción de potencia", "降额"}
	o := publish.Options{Terms: func(u *knowledge.Unit) []string {
		if len(u.Concepts) > 0 {
			return terms
		}
		return nil
	}}
	pub(t, tg, us, o)
	hs := searchHits(t, tg, publish.Query{Text: "power derating", Expansions: []string{"reducción de potencia", "降额"}, Limit: 10})
	var ids []string
	for _, h := range hs {
		ids = append(ids, h.UnitID)
	}
	got := strings.Join(ids, " ")
	if strings.Contains(got, "m/es/tierra") {
		t.Errorf("the Spanish unit without the concept matched an expansion's small word: %v", ids)
	}
	if !strings.Contains(got, "m/en/derating") || !strings.Contains(got, "m/zh/降额") {
		t.Errorf("hits %v, want the English and the Chinese derating units", ids)
	}
}

// The snippet of a hit is the passage that matched, cut at whole words,
// not the beginning of the body.
func TestSearchSnippetIsTheMatchingPassage(t *testing.T) {
	filler := strings.Repeat("The inclinometer measures angles in two axes and shows them on the display. ", 8)
	body := filler + "To calibrate the sensor, place the device on a flat surface and hold the CAL key for three seconds. " + filler
	tg := target(t)
	pub(t, tg, []*knowledge.Unit{mkUnit("lap/en/use", "en", "Use", body)}, publish.Options{})
	hs := searchHits(t, tg, publish.Query{Text: "calibrate sensor"})
	if len(hs) != 1 {
		t.Fatalf("hits: %v", hs)
	}
	s := hs[0].Snippet
	if !strings.Contains(s, "To calibrate the sensor") || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Errorf("snippet is not the passage that matched: %q", s)
	}
	if n := len([]rune(s)); n < 160 || n > 240 {
		t.Errorf("snippet has %d characters, want 160–240: %q", n, s)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(s, "…"), "…")
	if !strings.Contains(body, inner) || !strings.Contains(body, " "+inner+" ") {
		t.Errorf("snippet cuts a word: %q", s)
	}

	zh := strings.Repeat("评估板的外形尺寸和安装孔位置见下图。", 12) + "评估板通过 Type-C 接口供电，电压为 5V。" + strings.Repeat("其他说明。", 20)
	if s := publish.Snippet(zh, "评估板怎么供电"); !strings.Contains(s, "接口供电") {
		t.Errorf("Chinese snippet: %q", s)
	}
	// Whole words only: "cal" is not the start of "calibrate" here, so the
	// passage with the CAL key is chosen.
	if s := publish.Snippet(body, "CAL key"); !strings.Contains(s, "CAL key") {
		t.Errorf("snippet for a short word: %q", s)
	}
	if s := publish.Snippet(body, "xyzzy"); !strings.HasPrefix(s, "The inclinometer") || !strings.HasSuffix(s, "…") {
		t.Errorf("snippet without a match: %q", s)
	}
}

// Inflected and derived forms find each other in the unit's language: a
// German "kalibrieren" finds "Kalibrierung", an English "recalibrating"
// finds "recalibrate", a Spanish plural its singular. A German question's
// function words ("die", "der") match no English unit through the stems.
func TestStemsFindOtherFormsOfAWord(t *testing.T) {
	tg := target(t)
	us := append(mixedCorpus(),
		mkUnit("lap/en/calib", "en", "Recalibrate the inclinometer", "Hold both keys for three seconds to start the recalibration."),
		mkUnit("lap/de/kalib", "de", "Kalibrierung des Neigungsmessers", "Halten Sie beide Tasten drei Sekunden gedrückt, um die Kalibrierung zu starten."),
		mkUnit("lap/es/baterias", "es", "Baterías usadas", "Retire las baterías antes de desechar el aparato."),
	)
	pub(t, tg, us, publish.Options{})
	for _, c := range []struct{ query, lang, want string }{
		{"Neigungsmesser kalibrieren", "de", "lap/de/kalib"},
		{"recalibrating", "en", "lap/en/calib"},
		{"batería desechada", "es", "lap/es/baterias"},
	} {
		hs := searchHits(t, tg, publish.Query{Text: c.query, Language: c.lang, Limit: 5})
		if len(hs) == 0 || hs[0].UnitID != c.want {
			t.Errorf("%q (%s): hits %v, want %s first", c.query, c.lang, ids(hs), c.want)
		}
	}
	if hs := searchHits(t, tg, publish.Query{Text: "die der das", Language: "en"}); len(hs) != 0 {
		t.Errorf("German function words found English units: %v", ids(hs))
	}
}

func ids(hs []publish.Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.UnitID)
	}
	return out
}

// A question in one language finds, with a target language, the section
// of the other edition its match translates, marked with the unit that
// matched; without a filter the translation follows its hit; a sibling
// the caller may not read stays out.
func TestSearchBringsTranslationSiblings(t *testing.T) {
	tg := target(t)
	us := mixedCorpus()
	internal := mkUnit("lap/fr/batterie", "fr", "Batterie", "Chargez la batterie.")
	internal.Access = knowledge.AccessInternal
	us = append(us, internal)
	sib := map[string][]string{
		"lap/en/battery":      {"lap/de/akku", "lap/fr/batterie"},
		"lap/de/akku":         {"lap/en/battery", "lap/fr/batterie"},
		"lap/fr/batterie":     {"lap/de/akku", "lap/en/battery"},
		"lap/en/scope":        {"lap/de/lieferumfang"},
		"lap/de/lieferumfang": {"lap/en/scope"},
	}
	pub(t, tg, us, publish.Options{Siblings: sib})

	// "Ladegerät leuchtet grün" shares no word with the English units.
	hs := searchHits(t, tg, publish.Query{Text: "Ladegerät leuchtet grün", Language: "en", Limit: 3})
	if len(hs) == 0 || hs[0].UnitID != "lap/en/battery" || hs[0].SiblingOf != "lap/de/akku" {
		t.Fatalf("German question, English answer wanted: %+v", hs)
	}
	if hs[0].Snippet == "" || hs[0].Score <= 0 {
		t.Errorf("the sibling hit has no snippet or score: %+v", hs[0])
	}
	hs = searchHits(t, tg, publish.Query{Text: "Ladegerät leuchtet grün", Limit: 3, Access: "customer"})
	if got := ids(hs); len(got) < 2 || got[0] != "lap/de/akku" || got[1] != "lap/en/battery" || hs[1].SiblingOf != "lap/de/akku" {
		t.Errorf("no filter: %v, want the German hit and its English translation after it", got)
	}
	for _, h := range hs {
		if h.UnitID == "lap/fr/batterie" {
			t.Errorf("an internal sibling reached a customer search: %+v", h)
		}
	}
	if hs := searchHits(t, tg, publish.Query{Text: "Ladegerät leuchtet grün", Language: "fr", Access: "customer"}); len(hs) != 0 {
		t.Errorf("French wanted, the only French sibling is internal: %v", ids(hs))
	}
	// A unit without siblings is found as before.
	if hs := searchHits(t, tg, publish.Query{Text: "评估板怎么供电", Language: "zh"}); len(hs) == 0 || hs[0].UnitID != "evb/zh/power" || hs[0].SiblingOf != "" {
		t.Errorf("Chinese question: %+v", hs)
	}
}
