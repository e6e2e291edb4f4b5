package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
)

// linkSide is one side of a link that both of its records can write: the
// path of the record, its body key, and the key of the other side's list in
// its input and representation.
type linkSide struct {
	path, record, list string
}

// linkedIDsOf reads the IDs of the other side that a record lists.
func linkedIDsOf(t *testing.T, s *testServer, side linkSide) []string {
	t.Helper()
	r, err := s.rawDo("GET", side.path+"?fields=*", "", "Bearer "+demo.Token)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", side.path, r.Status, r.Body)
	}
	var doc map[string]map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	var items []struct {
		ID json.Number `json:"id"`
	}
	if raw, ok := doc[side.record][side.list]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatalf("GET %s: %s: %v", side.path, side.list, err)
		}
	}
	var out []string
	for _, it := range items {
		out = append(out, it.ID.String())
	}
	return out
}

// TestLinkingFromBothSidesAtOnce writes each link that both of its records
// can write from both sides at the same instant, over many rounds: linking
// from both, unlinking from both, and one linking while the other unlinks.
// Every write must succeed, and afterwards both records must agree on
// whether they are linked; when both sides asked for the link, it exists.
func TestLinkingFromBothSidesAtOnce(t *testing.T) {
	t.Parallel()
	release := fmt.Sprint(demo.Release1)
	goal := fmt.Sprint(demo.Goal1)
	initiative := fmt.Sprint(demo.Initiative1)
	kinds := []struct {
		name   string
		a, b   linkSide
		aID    string
		bID    string
		rounds int
	}{
		{"releases and goals",
			linkSide{"/api/v1/releases/" + release, "release", "goals"},
			linkSide{"/api/v1/goals/" + goal, "goal", "releases"}, release, goal, 40},
		{"releases and initiatives",
			linkSide{"/api/v1/releases/" + release, "release", "initiatives"},
			linkSide{"/api/v1/initiatives/" + initiative, "initiative", "releases"}, release, initiative, 40},
		{"goals and initiatives",
			linkSide{"/api/v1/goals/" + goal, "goal", "initiatives"},
			linkSide{"/api/v1/initiatives/" + initiative, "initiative", "goals"}, goal, initiative, 40},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, k := range kinds {
			set := func(side linkSide, ids ...string) (string, func() error) {
				list, _ := json.Marshal(append([]string{}, ids...))
				body := fmt.Sprintf(`{"%s":{"%s":%s}}`, side.record, side.list, list)
				return body, func() error {
					r, err := s.rawDo("PUT", side.path, body, "Bearer "+demo.Token)
					if err != nil {
						return err
					}
					if r.Status != 200 {
						return fmt.Errorf("PUT %s %s: %d %s", side.path, body, r.Status, r.Body)
					}
					return nil
				}
			}
			failures := 0
			for round := 0; round < k.rounds; round++ {
				// 0: both link, 1: both unlink, 2: a links while b unlinks.
				mode := round % 3
				var writes []func() error
				switch mode {
				case 0, 2:
					_, w := set(k.a, k.bID)
					writes = append(writes, w)
				case 1:
					_, w := set(k.a)
					writes = append(writes, w)
				}
				switch mode {
				case 0:
					_, w := set(k.b, k.aID)
					writes = append(writes, w)
				case 1, 2:
					_, w := set(k.b)
					writes = append(writes, w)
				}
				errs := make([]error, len(writes))
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, w := range writes {
					wg.Go(func() {
						<-start
						errs[i] = w()
					})
				}
				close(start)
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						failures++
						if failures <= 3 {
							t.Errorf("%s, round %d: %v", k.name, round, err)
						}
					}
				}
				fromA := slices.Contains(linkedIDsOf(t, s, k.a), k.bID)
				fromB := slices.Contains(linkedIDsOf(t, s, k.b), k.aID)
				if fromA != fromB {
					t.Errorf("%s, round %d: the first side sees the link: %v, the second: %v", k.name, round, fromA, fromB)
				}
				switch {
				case mode == 0 && !fromA:
					t.Errorf("%s, round %d: both sides linked, but the link is missing", k.name, round)
				case mode == 1 && fromA:
					t.Errorf("%s, round %d: both sides unlinked, but the link is there", k.name, round)
				}
			}
			if failures > 0 {
				t.Errorf("%s: %d of %d writes failed", k.name, failures, 2*k.rounds)
			}
		}
	})
}
