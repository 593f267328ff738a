package redact

import (
	"fmt"
	"strings"
	"testing"
)

func TestRedactFindsPersonalData(t *testing.T) {
	r := Default()
	cases := []struct {
		in, want string
	}{
		{"Write to jane.doe+kb@example.co.uk today", "Write to <email> today"},
		{"Mail: müller@bücher.de.", "Mail: <email>."},
		{"Ruf an: +49 30 1234567 bitte", "Ruf an: <phone> bitte"},
		{"Call (555) 123-4567 now", "Call <phone> now"},
		{"手机 +86 138 0013 8000", "手机 <phone>"},
		{"call 555-123-4567.", "call <phone>."},
		{"Tel. 030 1234567", "Tel. <phone>"},
		{"Appelez le 01 23 45 67 89", "Appelez le <phone>"},
		{"+44 20 7946 0958", "<phone>"},
		{"+49 (0)30 1234567", "<phone>"},
		{"手机号码13800138000", "手机号码<phone>"},
		{"card 4111 1111 1111 1111 expired", "card <card> expired"},
		{"card 4111-1111-1111-1111", "card <card>"},
		{"Karte 5500005555555559", "Karte <card>"},
		{"IBAN DE89 3704 0044 0532 0130 00 bitte", "IBAN <iban> bitte"},
		{"iban: GB82WEST12345698765432.", "iban: <iban>."},
		{"FR14 2004 1010 0505 0001 3M02 606", "<iban>"},
		{"from 192.168.10.254 and 10.0.0.1:8080", "from <ip> and <ip>:8080"},
		{"host 2001:db8::8a2e:370:7334 down", "host <ip> down"},
		{"link-local fe80::1 and ::1", "link-local <ip> and <ip>"},
	}
	for _, c := range cases {
		counts := Counts{}
		got := r.Redact(c.in, nil, counts)
		if got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestRedactLeavesLookalikes(t *testing.T) {
	r := Default()
	keep := []string{
		"Updated on 2024-01-15 at 10:30:45",
		"Datum 24.12.2023, Uhrzeit 14:00",
		"US date 12/31/2024 and 1/2/24",
		"firmware version 10.0.19045.3803 installed",
		"Firmware 1.2.3.4 released",
		"part no. ABC-1234-5678 and SKU 1234-5678",
		"error 0x80070005, code E-1234567, KB5034441",
		"order 12345678 shipped",      // bare number, no phone word
		"4111 1111 1111 1112",         // fails Luhn
		"DE89 3704 0044 0532 0130 01", // fails mod 97
		"the ratio is 3:2:1 and time 12:30:00",
		"Range 100-200 mm, 3.5 GHz, 1000000 rows",
		"Existing <name>, <tel_num> and <acc_num> placeholders",
		"C++ std::vector::size and a::b",
		"serial SN-2024-000123",
		"Model XPS 13 9310",
		"ISBN 978-3-16-148410-0",
	}
	for _, s := range keep {
		if ms := r.Find(s, nil); len(ms) != 0 {
			t.Errorf("Find(%q) = %v, want nothing", s, ms)
		}
	}
}

func TestNames(t *testing.T) {
	r := Default()
	cases := []struct {
		names []string
		in    string
		want  string
	}{
		{[]string{"Jean-Luc Picard"}, "Hello JEAN-LUC picard, Jean here. Luc. Picardie stays", "Hello <name>, <name> here. <name>. Picardie stays"},
		{[]string{"José Müller"}, "Sr. josé MÜLLER and müller; Müllerstraße", "Sr. <name> and <name>; Müllerstraße"},
		{[]string{"Anna Schmidt", "a.schmidt@example.com"}, "Annual report by anna; mail a.schmidt@example.com", "Annual report by <name>; mail <email>"},
		{[]string{"王小明"}, "您好王小明，小明的问题", "您好<name>，<name>的问题"},
		{[]string{"van der Berg"}, "de van der Berg, Berg", "de <name>, <name>"},
		{[]string{"Tel"}, "Call <tel_num>, Tel", "Call <tel_num>, <name>"},
	}
	for _, c := range cases {
		got := r.Redact(c.in, NewNames(c.names...), nil)
		if got != c.want {
			t.Errorf("names %v: Redact(%q)\n got %q\nwant %q", c.names, c.in, got, c.want)
		}
	}
}

func TestCustomPatternsAndErrors(t *testing.T) {
	r, err := New(Config{Patterns: []Pattern{{Kind: "customer_no", Regexp: `\bKD-\d{6}\b`}}})
	if err != nil {
		t.Fatal(err)
	}
	counts := Counts{}
	got := r.Redact("Kunde KD-123456 ruft an", nil, counts)
	if got != "Kunde <customer_no> ruft an" || counts["customer_no"] != 1 {
		t.Errorf("got %q counts %v", got, counts)
	}
	for _, bad := range []Pattern{{Kind: "Bad Kind", Regexp: "x"}, {Kind: "ok", Regexp: "("}, {Kind: "empty", Regexp: "a*"}} {
		_, err := New(Config{Patterns: []Pattern{bad}})
		if err == nil {
			t.Errorf("New(%+v) succeeded", bad)
		} else if bad.Regexp == "(" && strings.Contains(err.Error(), "secret") {
			t.Error("error leaks the pattern")
		}
	}
	if _, err := New(Config{Disable: []Kind{"name"}}); err == nil {
		t.Error("disabling names accepted")
	}
}

func TestMatchOutputHasNoValue(t *testing.T) {
	text := "mail ceo@example.com or +49 30 1234567"
	ms := Default().Find(text, nil)
	if len(ms) != 2 {
		t.Fatalf("got %v", ms)
	}
	out := fmt.Sprint(ms) + fmt.Sprintf("%v %+v", ms[0], ms[1])
	for _, v := range []string{"ceo", "example", "1234567"} {
		if strings.Contains(out, v) {
			t.Errorf("match output %q contains the value %q", out, v)
		}
	}
	if text[ms[0].Start:ms[0].End] != "ceo@example.com" {
		t.Errorf("offsets wrong: %v", ms[0])
	}
}

func TestRedactIsIdempotent(t *testing.T) {
	r := Default()
	n := NewNames("Ann Lee")
	once := r.Redact("Ann Lee, ann@example.org, +1 (555) 123-4567, 10.1.2.3", n, nil)
	twice := r.Redact(once, n, nil)
	if once != twice {
		t.Errorf("second pass changed %q to %q", once, twice)
	}
}

func BenchmarkRedact(b *testing.B) {
	text := strings.Repeat("Dear customer, the firmware 2.1.3 on device SN-12345 fails with error 0x8004 since 2024-01-15. "+
		"Please call +49 30 1234567 or write to someone@example.com. ", 10)
	r := Default()
	n := NewNames("Jean-Luc Picard")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		r.Redact(text, n, nil)
	}
}

func TestIntroducedNames(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello, my name is Jane Doe and my VF-200 trips.", []string{"Jane Doe"}},
		{"Hi Jane,\nplease check the PE bar.", []string{"Jane"}},
		{"Dear Mr. Doe,\nthank you.", []string{"Doe"}},
		{"Sehr geehrte Frau Müller,\nbitte prüfen Sie", []string{"Müller"}},
		{"Thanks for the help.\n\nBest regards,\nJane Doe\nACME Corp", []string{"Jane Doe"}},
		{"It works now. Best regards, Jane Doe", []string{"Jane Doe"}},
		{"Regards, Peter O'Neil", []string{"Peter O'Neil"}},
		{"Mit freundlichen Grüßen\n\nJürgen Müller", []string{"Jürgen Müller"}},
		{"Hallo, hier ist Jürgen Müller. Der Drucker", []string{"Jürgen Müller"}},
		{"Hi, Peter O'Neil here. Login fails", []string{"Peter O'Neil"}},
		{"I am Jana Novakova (jana@example.org)", []string{"Jana Novakova"}},
		{"Name: Ludwig van Beethoven\n", []string{"Ludwig van Beethoven"}},
		{"From: Jane Doe <jane@example.org>", []string{"Jane Doe"}},
		{"Bonjour, je m'appelle Amélie Dubois.", []string{"Amélie Dubois"}},
		{"Привет Ольга,\nспасибо", []string{"Ольга"}},
	}
	for _, c := range cases {
		got := Introduced(c.in)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Introduced(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	none := []string{
		"Dear Customer Support Team,\nmy LaserJet fails.",
		"Dear Customer Support,\n\nI am writing to report an issue.",
		"Hello Customer Support, I am contacting you",
		"Best regards,\nThe VF-200 Team",
		"Best regards,\nTech Online Store Support",
		"Dear <name>, thank you for reaching out.",
		"Dear [Name], thank you",
		"Thanks, Windows Update fixed it",
		"I am Getting an error after the update",
		"Hello IT Services Support Team,",
		"This is Windows Server 2019 on VF-200.",
		"Best regards,\n<name>\n<tel_num>",
		"Thanks,\nSupport",
	}
	for _, s := range none {
		if got := Introduced(s); len(got) != 0 {
			t.Errorf("Introduced(%q) = %q, want none", s, got)
		}
	}
}

func TestLearnedNamesAreRedactedEverywhere(t *testing.T) {
	body := "Hello, my name is Jane Doe. Jane will send the log; please call back.\nBest regards, Jane Doe"
	answer := "Dear Jane, the fix will be in 2.1.4. Mail jon.smith@example.com; Jon Smith knows, so does Kowalczyk (r.kowalczyk@example.com). Will it help?"
	n := Learn(nil, body, answer)
	r := Default()
	got := r.Redact(body, n, nil) + "\n" + r.Redact(answer, n, nil)
	for _, leak := range []string{"Jane", "Doe", "Jon", "Smith", "Kowalczyk"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q survives:\n%s", leak, got)
		}
	}
	for _, kept := range []string{"will send", "Will it help", "the fix will be"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q lost (learned names match capitalised only):\n%s", kept, got)
		}
	}
}

func TestAllowList(t *testing.T) {
	r, err := New(Config{Allow: []string{"support@vendor.example", "@teqsas.example", "+49 89 1234 5678"}})
	if err != nil {
		t.Fatal(err)
	}
	in := "Write to support@vendor.example, service@eu.teqsas.example or call 0049 89 12345678; not jane@customer.example or +49 30 1234567."
	want := "Write to support@vendor.example, service@eu.teqsas.example or call 0049 89 12345678; not <email> or <phone>."
	if got := r.Redact(in, nil, nil); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if _, err := New(Config{Allow: []string{" "}}); err == nil {
		t.Error("empty allow entry accepted")
	}
}
