package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// TestCreateLocksCounterLast checks that on PostgreSQL a create updates its
// product's counter row (which locks it until the commit) only after it has
// written and read back everything else: one statement, the numbering of
// the release, may follow. Concurrent creates in one product wait for each
// other only that long.
func TestCreateLocksCounterLast(t *testing.T) {
	db := mustOpenDemo(t, "postgres")
	var stmts []string
	var mu sync.Mutex
	db.Trace(func(q string, _ []any) {
		mu.Lock()
		stmts = append(stmts, q)
		mu.Unlock()
	})
	r, err := db.CreateRelease(context.Background(), demo.PRJ1, demo.Mary, roadmap.ReleaseInput{
		Name:     roadmap.Some("Late lock"),
		Watchers: roadmap.Some([]string{fmt.Sprint(demo.Henry)}),
	})
	db.Trace(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every write transaction ends with its history (from draining the
	// change journal on); the create's own statements come before.
	for i, q := range stmts {
		if strings.Contains(q, "DELETE FROM change_journal") {
			stmts = stmts[:i]
			break
		}
	}
	at := -1
	for i, q := range stmts {
		if strings.HasPrefix(q, "UPDATE products") {
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("no update of the product's counter among %d statements", len(stmts))
	}
	if after := len(stmts) - 1 - at; after > 1 {
		t.Errorf("%d statements after the counter's update, want at most 1: %q", after, stmts[at+1:])
	}
	if strings.HasPrefix(r.ReferenceNum, "~") || r.Position == nil {
		t.Errorf("answer has reference %q, position %v; want the release's own", r.ReferenceNum, r.Position)
	}
}

// TestConcurrentCreatesCountAndNumber creates releases in one product from
// many goroutines and checks that the numbers are gapless and unique, the
// positions distinct, no provisional reference number is left, and the
// product's count of releases (the list's total) is exact.
func TestConcurrentCreatesCountAndNumber(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db := mustOpenDemo(t, backend)
			ctx := context.Background()
			f := roadmap.ReleaseFilter{ProductID: demo.PRJ1, Page: roadmap.Page{Page: 1, PerPage: roadmap.MaxPerPage}}
			_, before, err := db.Releases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			const workers, each = 8, 5
			var mu sync.Mutex
			refs := map[string]bool{}
			positions := map[int]bool{}
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some(fmt.Sprintf("C %d %d", w, i))})
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						refs[r.ReferenceNum] = true
						positions[*r.Position] = true
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(refs) != workers*each || len(positions) != workers*each {
				t.Fatalf("%d distinct references and %d distinct positions for %d creates", len(refs), len(positions), workers*each)
			}
			list, after, err := db.Releases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if after != before+workers*each {
				t.Errorf("total %d after %d creates, was %d", after, workers*each, before)
			}
			for _, r := range list {
				if strings.HasPrefix(r.ReferenceNum, "~") {
					t.Errorf("provisional reference %q left", r.ReferenceNum)
				}
			}
			// The numbers of the new releases follow each other.
			var nums []int
			for ref := range refs {
				n, err := strconv.Atoi(ref[strings.LastIndex(ref, "-")+1:])
				if err != nil {
					t.Fatalf("reference %q: %v", ref, err)
				}
				nums = append(nums, n)
			}
			slices.Sort(nums)
			if nums[len(nums)-1]-nums[0] != len(nums)-1 {
				t.Errorf("numbers %v have gaps", nums)
			}
		})
	}
}

// TestRenameKeepsComputedValues checks that a change of a release's name
// alone does not compute its progress and dates again (it reads nothing they
// are computed from), and that they stay what a feature's writer computed.
func TestRenameKeepsComputedValues(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db := mustOpenDemo(t, backend)
			ctx := context.Background()
			r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Computed"), ProgressSource: roadmap.Some(roadmap.ProgressFromFeatures)})
			if err != nil {
				t.Fatal(err)
			}
			var stmts []string
			db.Trace(func(q string, _ []any) { stmts = append(stmts, q) })
			got, err := db.UpdateRelease(ctx, r.ID, roadmap.ReleaseInput{Name: roadmap.Some("Renamed")})
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range stmts {
				if strings.Contains(q, "FROM release_phases") || strings.Contains(q, "FROM tasks") {
					t.Errorf("a rename computed the release again: %s", q)
				}
			}
			if got.Name != "Renamed" || *got.Progress != *r.Progress {
				t.Errorf("after the rename: name %q progress %d, want %q %d", got.Name, *got.Progress, "Renamed", *r.Progress)
			}
		})
	}
}

// TestRenameAnswersWhatAReadLoads checks that a change of only a release's
// name and theme, which reads the release once under its lock and not again
// after the write, answers the release exactly as a read after it loads it,
// links, custom fields, history and roll-up included.
func TestRenameAnswersWhatAReadLoads(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db := mustOpenDemo(t, backend)
			ctx := context.Background()
			rollUp, err := db.Release(ctx, "PRJ1-MR-1")
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.CreateRelease(ctx, demo.PRJ1, demo.Mary, roadmap.ReleaseInput{Name: roadmap.Some("Before"),
				Goals: roadmap.Some([]string{"602095703"}), Theme: roadmap.Some("<p>old</p>"),
				ParentID: roadmap.Some(strconv.FormatInt(rollUp.ID, 10))})
			if err != nil {
				t.Fatal(err)
			}
			var selects int
			db.Trace(func(q string, _ []any) {
				if strings.Contains(q, "FROM releases r") {
					selects++
				}
			})
			got, err := db.UpdateRelease(ctx, r.ID, roadmap.ReleaseInput{Name: roadmap.Some("After"), Theme: roadmap.Some("<p>new</p>")})
			db.Trace(nil)
			if err != nil {
				t.Fatal(err)
			}
			if selects != 1 {
				t.Errorf("the rename loaded the release %d times, want once", selects)
			}
			want, err := db.Release(ctx, r.ReferenceNum)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("the rename answers other than a read after it:\nread   %+v\nanswer %+v", want, got)
			}
			if got.Name != "After" || got.Theme.Body != "<p>new</p>" || len(got.Goals) != 1 || got.Parent == nil {
				t.Errorf("after the rename: %q %q, %d goals, parent %v", got.Name, got.Theme.Body, len(got.Goals), got.Parent)
			}
		})
	}
}
