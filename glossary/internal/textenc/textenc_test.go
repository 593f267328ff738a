package textenc

import (
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func TestLookupKnowsCommonLabels(t *testing.T) {
	for label, want := range map[string]string{
		"UTF-8": "utf-8", "utf8": "utf-8", "GBK": "gbk", "gb2312": "gbk", "cp936": "gbk",
		"Shift_JIS": "shift_jis", "sjis": "shift_jis", "windows-1252": "windows-1252",
		"latin1": "windows-1252", "cp1251": "windows-1251", "utf-16le": "utf-16le", "Big5": "big5",
	} {
		_, got, err := Lookup(label)
		if err != nil || got != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", label, got, err, want)
		}
	}
	if _, _, err := Lookup("ebcdic-klingon"); err == nil || !strings.Contains(err.Error(), "use a name such as") {
		t.Errorf("unknown label: %v", err)
	}
}

func TestGuessWesternTextWithManyAccents(t *testing.T) {
	// A German glossary: umlauts alone or in pairs must not look Cyrillic.
	text := "Größe,size\nMaßeinheit,unit\nÜberstromschutz,overcurrent protection\nSchütz,contactor\nGerätestörung,device fault\n"
	b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(text))
	if d := Guess(b); d.Name != "windows-1252" {
		t.Errorf("guessed %s", d.Name)
	}
}

func TestLimitReaderFailsInsteadOfTruncating(t *testing.T) {
	r := LimitReader(strings.NewReader(strings.Repeat("x", 100)), 100)
	if b, err := io.ReadAll(r); err != nil || len(b) != 100 {
		t.Errorf("exactly the limit: %d bytes, %v", len(b), err)
	}
	r = LimitReader(strings.NewReader(strings.Repeat("x", 101)), 100)
	if _, err := io.ReadAll(r); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	r = LimitReader(strings.NewReader("abc"), 1<<63-1)
	if b, err := io.ReadAll(r); err != nil || string(b) != "abc" {
		t.Errorf("no limit: %q %v", b, err)
	}
}

func TestMarkupGuardNamesTheLine(t *testing.T) {
	doc := "<a>\n<b>\n" + strings.Repeat("x", 50) + "</b></a>"
	if _, err := io.ReadAll(MarkupGuard(strings.NewReader(doc), 100)); err != nil {
		t.Errorf("short text refused: %v", err)
	}
	doc = "<a>\n<b>\n" + strings.Repeat("x", 500) + "</b></a>"
	_, err := io.ReadAll(MarkupGuard(strings.NewReader(doc), 100))
	var me *MarkupError
	if !errors.As(err, &me) || me.Line != 2 {
		t.Errorf("got %v", err)
	}
}
