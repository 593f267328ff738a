package tracks

import "github.com/kbops/kbops/reviews"

// DueFor returns the open due units who may confirm (their technical
// stage is who's in OWNERS), sorted: what `kbops due confirm --all-mine`
// confirms.
func (s *State) DueFor(who string) []string {
	var out []string
	for _, d := range s.OpenDue() {
		if ok, _ := s.Snap.Owners.May(who, reviews.Technical, s.Snap.Units[d.ID]); ok {
			out = append(out, d.ID)
		}
	}
	return out
}
