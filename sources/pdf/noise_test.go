package pdf

import (
	"path/filepath"
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
