package lang

import (
	"runtime"
	"testing"
)

func TestDetect(t *testing.T) {
	cases := map[string]string{
		"The device must be switched off before the battery is removed from the housing.":       "en",
		"Das Gerät muss ausgeschaltet werden, bevor der Akku aus dem Gehäuse entfernt wird.":    "de",
		"El equipo debe apagarse antes de retirar la batería de la carcasa, según el manual.":   "es",
		"L'appareil doit être éteint avant de retirer la batterie du boîtier, comme indiqué.":   "fr",
		"O aparelho deve ser desligado antes de remover a bateria da caixa, como não indicado.": "pt",
		"Устройство необходимо выключить перед извлечением аккумулятора из корпуса.":            "ru",
		"يجب إيقاف تشغيل الجهاز قبل إزالة البطارية من الغلاف.":                                  "ar",
		"在取出电池之前，必须关闭设备。调用 TKY_BaseInit 函数初始化触摸按键库。":                                            "zh",
		"バッテリーを取り外す前に、デバイスの電源を切ってください。":                                                         "ja",
		"배터리를 분리하기 전에 장치의 전원을 꺼야 합니다.":                                                          "ko",
		"":                    "",
		"CH32V003":            "",
		"1234 5678 0x3F ----": "",
	}
	for text, want := range cases {
		if got := Detect(text); got != want {
			t.Errorf("Detect(%q) = %q, want %q", text, got, want)
		}
	}
	if got := Resolve("es-MX", "The device is off."); got != "es-MX" {
		t.Errorf("declared language must win, got %q", got)
	}
}

// BenchmarkDetect reports allocation per call; the detector's static
// data is measured in BenchmarkFootprint.
func BenchmarkDetect(b *testing.B) {
	text := "Das Gerät muss ausgeschaltet werden, bevor der Akku aus dem Gehäuse entfernt wird. Die Kalibrierung ist für alle Positionen identisch."
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Detect(text)
	}
}

// BenchmarkFootprint reports the heap in use with the detector loaded (a
// memory figure belongs in a benchmark, not in a test that cannot fail).
func BenchmarkFootprint(b *testing.B) {
	var m runtime.MemStats
	for range b.N {
		runtime.GC()
		runtime.ReadMemStats(&m)
	}
	b.ReportMetric(float64(m.HeapInuse)/1024, "heap-KiB")
}
