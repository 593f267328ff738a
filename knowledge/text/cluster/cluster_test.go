package cluster

import (
	"fmt"
	"testing"
)

func sig(t testing.TB, s string) *Signature {
	g, n := Sign(s)
	if n == 0 {
		t.Fatalf("no shingles in %q", s)
	}
	return &g
}

func TestSimilarity(t *testing.T) {
	a := "The printer shows error E-42 after the firmware update and stops printing. Restarting does not help, the error comes back after a few pages."
	near := "the printer shows error E-42 after the firmware update and stops printing! Restarting doesn't help; the error comes back after a few pages. <name>"
	other := "How can I change the billing address on my invoice for the annual subscription of the analytics dashboard?"
	if s := Similarity(sig(t, a), sig(t, near)); s < 0.6 {
		t.Errorf("near-duplicate similarity %.2f, want >= 0.6", s)
	}
	if s := Similarity(sig(t, a), sig(t, other)); s >= 0.3 {
		t.Errorf("unrelated similarity %.2f, want < 0.3", s)
	}
	zh := "打印机在固件更新后显示错误E-42并停止打印。重启没有帮助，打印几页后错误再次出现。"
	zhNear := "打印机在固件更新后显示错误E-42并停止打印。重启没有用，打印几页后错误再次出现。"
	zhOther := "请问如何修改年度订阅发票上的账单地址？"
	if s := Similarity(sig(t, zh), sig(t, zhNear)); s < 0.6 {
		t.Errorf("CJK near-duplicate similarity %.2f", s)
	}
	if s := Similarity(sig(t, zh), sig(t, zhOther)); s >= 0.3 {
		t.Errorf("CJK unrelated similarity %.2f", s)
	}
	if _, n := Sign("<name> , ! <tel_num>"); n != 0 {
		t.Errorf("placeholders and punctuation gave %d shingles", n)
	}
}

func TestIndex(t *testing.T) {
	ix := NewIndex(0.6)
	texts := []string{
		"Login to the portal fails with error 403 after password reset on the mobile app",
		"Invoice PDF cannot be downloaded from the billing page, the button does nothing",
		"Login to the portal fails with error 403 after a password reset on the mobile app!",
	}
	if id, _ := ix.Nearest(sig(t, texts[0])); id != -1 {
		t.Fatal("empty index matched")
	}
	ix.Add(10, *sig(t, texts[0]))
	ix.Add(11, *sig(t, texts[1]))
	if id, s := ix.Nearest(sig(t, texts[2])); id != 10 {
		t.Errorf("Nearest = %d (%.2f), want 10", id, s)
	}
	ix.Remove(10)
	if id, _ := ix.Nearest(sig(t, texts[2])); id != -1 {
		t.Errorf("removed entry still found: %d", id)
	}
	if ix.Len() != 1 {
		t.Errorf("Len = %d", ix.Len())
	}
}

func BenchmarkSign(b *testing.B) {
	text := "Dear support, the data analytics platform crashed unexpectedly because the storage was too small. I restarted Laravel 8 and my MacBook Pro but the problem persists. Please help me fix this error."
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Sign(text)
	}
}

func BenchmarkNearest(b *testing.B) {
	ix := NewIndex(0.6)
	for i := 0; i < 100000; i++ {
		ix.Add(i, *sig(b, fmt.Sprintf("ticket %d about problem %d with device %d", i, i*7, i*13)))
	}
	s := sig(b, "ticket 5 about problem 35 with device 65")
	for b.Loop() {
		ix.Nearest(s)
	}
}

// Signing a title and a body apart is signing them joined by a newline,
// whatever stands at the seam: a word, a placeholder, Chinese text.
func TestSignTextsIsSignOfTheJoinedText(t *testing.T) {
	parts := []string{"", "Akku laden", "battery", "<ph", "x>", "充电", "需要两小时", "doesn'", "t stop", "Ölwechsel", "3.1 Scope"}
	for _, a := range parts {
		for _, b := range parts {
			want, wn := Sign(a + "\n" + b)
			got, gn := SignTexts(a, b)
			if got != want || gn != wn {
				t.Errorf("SignTexts(%q, %q) = %d shingles, Sign of the joined text %d, or the signatures differ", a, b, gn, wn)
			}
		}
	}
}
