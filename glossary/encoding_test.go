package glossary

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tbxDoc(decl, lang, term string) string {
	return decl + "\n" + `<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="c1"><langSet xml:lang="` + lang + `"><tig><term>` + term + `</term></tig></langSet></termEntry>
</body></text></martif>`
}

func firstTermOf(tb *Termbase) string {
	for _, c := range tb.Concepts() {
		for _, l := range c.Langs {
			for _, t := range l.Terms {
				return t.Text
			}
		}
	}
	return ""
}

func TestTBXInEveryCommonEncoding(t *testing.T) {
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	cases := []struct {
		name     string
		data     []byte
		term     string
		encoding string
	}{
		{"utf8-bom", append([]byte{0xEF, 0xBB, 0xBF}, tbxDoc(`<?xml version="1.0"?>`, "zh-CN", "变频器")...), "变频器", "utf-8"},
		{"utf16le-bom", append([]byte{0xFF, 0xFE}, encode(t, utf16le, tbxDoc(`<?xml version="1.0" encoding="UTF-16"?>`, "zh-CN", "变频器"))...), "变频器", "utf-16le"},
		{"utf16be-bom", append([]byte{0xFE, 0xFF}, encode(t, utf16be, tbxDoc(`<?xml version="1.0" encoding="UTF-16"?>`, "ja", "インバータ"))...), "インバータ", "utf-16be"},
		{"utf16le-no-bom", encode(t, utf16le, tbxDoc(`<?xml version="1.0" encoding="UTF-16"?>`, "ru", "двигатель")), "двигатель", "utf-16le"},
		{"gbk", encode(t, simplifiedchinese.GBK, tbxDoc(`<?xml version="1.0" encoding="GBK"?>`, "zh-CN", "变频器")), "变频器", "gbk"},
		{"gb2312", encode(t, simplifiedchinese.GBK, tbxDoc(`<?xml version="1.0" encoding="gb2312"?>`, "zh-CN", "制动电阻")), "制动电阻", "gbk"},
		{"shift_jis", encode(t, japanese.ShiftJIS, tbxDoc(`<?xml version="1.0" encoding="Shift_JIS"?>`, "ja", "過電流エラー")), "過電流エラー", "shift_jis"},
		{"windows-1252", encode(t, charmap.Windows1252, tbxDoc(`<?xml version="1.0" encoding="windows-1252"?>`, "de", "Überstromfehler – „Prüfung“")), "Überstromfehler – „Prüfung“", "windows-1252"},
		{"latin1", encode(t, charmap.ISO8859_1, tbxDoc(`<?xml version='1.0' encoding='ISO-8859-1'?>`, "fr", "défaut de surintensité")), "défaut de surintensité", "windows-1252"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, err := ImportReader(context.Background(), c.name+".tbx", bytes.NewReader(c.data), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := firstTermOf(im.Termbase); got != c.term {
				t.Errorf("term %q, want %q", got, c.term)
			}
			if im.Encoding != c.encoding {
				t.Errorf("encoding %q (%s), want %q", im.Encoding, im.How, c.encoding)
			}
		})
	}
	_, err := ImportReader(context.Background(), "x.tbx", strings.NewReader(tbxDoc(`<?xml version="1.0" encoding="klingon-8"?>`, "en", "x")), ImportOptions{})
	wantInputError(t, err, "x.tbx", 1, `unknown character encoding "klingon-8"`)
}

func TestCSVEncodingsAreDetectedOrGuessed(t *testing.T) {
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	zh := "en,zh-CN\nfrequency inverter,变频器\nbraking resistor,制动电阻\novercurrent fault,过流故障\n"
	ja := "en,ja\nfrequency inverter,インバータ\nbraking resistor,ブレーキ抵抗\novercurrent fault,過電流エラー\nmotor,モーター\n"
	ru := "en,ru\nfrequency inverter,преобразователь частоты\nmotor,двигатель\nparameter,параметр\n"
	de := "en,de\nfrequency inverter,Frequenzumrichter\novercurrent fault,Überstromfehler\nbraking resistor,Bremswiderstand\nsize,Größe\n"
	cases := []struct {
		name, text, encoding, how string
		data                      []byte
	}{
		{"utf8", zh, "utf-8", "default", []byte(zh)},
		{"utf16le-bom", ja, "utf-16le", "byte-order mark", append([]byte{0xFF, 0xFE}, encode(t, utf16le, ja)...)},
		{"utf16le-no-bom", ru, "utf-16le", "guess", encode(t, utf16le, ru)},
		{"gbk", zh, "gbk", "guess", encode(t, simplifiedchinese.GBK, zh)},
		{"shift_jis", ja, "shift_jis", "guess", encode(t, japanese.ShiftJIS, ja)},
		{"windows-1251", ru, "windows-1251", "guess", encode(t, charmap.Windows1251, ru)},
		{"windows-1252", de, "windows-1252", "guess", encode(t, charmap.Windows1252, de)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, err := ImportReader(context.Background(), c.name+".csv", bytes.NewReader(c.data), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if im.Encoding != c.encoding || string(im.How) != c.how {
				t.Errorf("encoding %s by %s, want %s by %s", im.Encoding, im.How, c.encoding, c.how)
			}
			var buf bytes.Buffer
			if _, err := WriteTermSets(&buf, im.Termbase, strings.Split(strings.SplitN(c.text, "\n", 2)[0], ","), ','); err != nil {
				t.Fatal(err)
			}
			if got, want := sortedLines(buf.String()), sortedLines(c.text); got != want {
				t.Errorf("read back\n%s\nwant\n%s", got, want)
			}
		})
	}
	// The caller can overrule a wrong guess.
	data := encode(t, charmap.Windows1250, "en,cs\nmotor,motorový pohon\n")
	im, err := ImportReader(context.Background(), "cs.csv", bytes.NewReader(data), ImportOptions{Encoding: "windows-1250"})
	if err != nil {
		t.Fatal(err)
	}
	if got := im.Termbase.Concept("motor").Lang("cs").Terms[0].Text; got != "motorový pohon" {
		t.Errorf("with --encoding: %q", got)
	}
}

func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	head, rest := lines[0], lines[1:]
	for i := range rest {
		for j := i + 1; j < len(rest); j++ {
			if rest[j] < rest[i] {
				rest[i], rest[j] = rest[j], rest[i]
			}
		}
	}
	return head + "\n" + strings.Join(rest, "\n")
}
