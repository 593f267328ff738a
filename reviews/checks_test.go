package reviews

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

func mkUnit(id, lang string, tier knowledge.Tier, eff time.Time, body string) knowledge.Unit {
	u := unit(body)
	u.ID, u.Language, u.Tier, u.Effective = id, lang, tier, knowledge.DateOf(eff)
	u, _ = knowledge.Revise(nil, u)
	return u
}

func snapshotOf(t *testing.T, us ...knowledge.Unit) *Snapshot {
	t.Helper()
	r, err := kbrepo.Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	changes := []kbrepo.Change{{Path: OwnersFile, Data: []byte(owners)}}
	for _, u := range us {
		b, err := knowledge.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: b})
	}
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", time.Now(), changes...)
	s, _, err := LoadBranch(context.Background(), r, "kbops/review")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConflictNamesWinnerByTierThenDate(t *testing.T) {
	d2025, d2026 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	manual := mkUnit("manual/en/vf-200/specs", "en", knowledge.TierOfficial, d2025, "Install the drive upright.\n\n- Max. ambient temperature: 50 °C\n- Rated input 400 V\n")
	ticket := mkUnit("tickets/en/overheat/derating", "en", knowledge.TierSupport, d2026, "The customer asked about heat.\nThe maximum ambient temperature is 45 °C, above that derate.\n")
	newer := mkUnit("notes/en/vf-200/cabinet", "en", knowledge.TierOfficial, d2026, "In a cabinet the max. ambient temperature is 113 °F.\n")
	same := mkUnit("notes/en/vf-200/fahrenheit", "en", knowledge.TierInternal, d2026, "Max. ambient temperature 122 °F for the open chassis.\n")
	zhA := mkUnit("manual/zh/vf-200/规格", "zh-CN", knowledge.TierOfficial, d2025, "安装说明。\n最高环境温度为50°C。\n")
	zhB := mkUnit("notes/zh/vf-200/机柜", "zh-CN", knowledge.TierInternal, d2026, "注意：最高环境温度 40 ℃。\n")
	s := snapshotOf(t, manual, ticket, newer, same, zhA, zhB)

	fs := Check(s, []string{ticket.ID, newer.ID, same.ID, zhB.ID}, CheckOptions{Stages: []Stage{Technical}})
	var got []string
	for _, f := range fs {
		if f.Code == "conflict" {
			got = append(got, f.String())
		}
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		// The ticket contradicts the manual; the manual wins by tier, both sides shown with file:line.
		"units/tickets/en/overheat/derating.md:",
		"states 45 °C here, units/manual/en/vf-200/specs.md:",
		"states 50 °C",
		"winner units/manual/en/vf-200/specs.md (tier official above support)",
		// Same tier: the newer effective date wins.
		"winner units/notes/en/vf-200/cabinet.md (same tier official, effective 2026-03-01 is newer than 2025-01-01)",
		// Chinese, ℃ and °C are one unit.
		"units/notes/zh/vf-200/机柜.md:",
		"winner units/manual/zh/vf-200/规格.md (tier official above internal)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	// 122 °F is 50 °C: no conflict with the manual.
	if strings.Contains(all, "fahrenheit.md:") && strings.Contains(all, "fahrenheit.md:8: technical: conflict: \"Max. ambient temperature 122 °F\" states 50 °C here, units/manual") {
		t.Errorf("equal values in different units reported:\n%s", all)
	}
	// The finding points at the line of the statement in the file.
	b, _, _ := s.repo.ReadPath(s.Tree, knowledge.FilePath(ticket.ID))
	lines := strings.Split(string(b), "\n")
	for _, f := range fs {
		if f.Unit == ticket.ID && f.Code == "conflict" && !strings.Contains(lines[f.Line-1], "45 °C") {
			t.Errorf("line %d of %s is %q", f.Line, f.File, lines[f.Line-1])
		}
	}
}

func TestExpressionAndConsistencyChecks(t *testing.T) {
	d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	wrongLang := mkUnit("notes/en/a/wrong", "en", knowledge.TierInternal, d, "Conecte el conductor de protección al borne PE antes de encender el equipo y verifique la continuidad.\n")
	pii := mkUnit("notes/en/a/pii", "en", knowledge.TierInternal, d, "Call the installer at jane.doe@example.org if the drive trips.\n\n```\ncode never closed\n")
	table := mkUnit("notes/en/a/table", "en", knowledge.TierInternal, d, "Parameters of the drive are listed below.\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n")
	retired := mkUnit("notes/en/a/old", "en", knowledge.TierInternal, d, "Old procedure that no longer applies to any drive.\n")
	retired, _ = knowledge.Retire(retired)
	links := mkUnit("notes/en/a/links", "en", knowledge.TierInternal, d, "See [grounding](kb:notes/en/a/missing) and [old](kb:notes/en/a/old) for details.\n")
	s := snapshotOf(t, wrongLang, pii, table, retired, links)
	fs := Check(s, []string{wrongLang.ID, pii.ID, table.ID, links.ID, retired.ID}, CheckOptions{})
	var all []string
	for _, f := range fs {
		all = append(all, f.String())
	}
	out := strings.Join(all, "\n")
	for _, want := range []string{
		"units/notes/en/a/wrong.md:", "language: the text reads as \"es\"",
		"personal-data (blocking): leftover personal data (email)",
		"code fence ``` is never closed",
		"table row has 3 cells, the header 2",
		"broken-relation: links to unit notes/en/a/missing, which does not exist",
		"retired-relation: links to unit notes/en/a/old, which is retired",
		"units/notes/en/a/old.md: consistency: retired-relation: retired, but units/notes/en/a/links.md still links to it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "jane.doe") {
		t.Error("a finding repeats the personal data it found")
	}
}
