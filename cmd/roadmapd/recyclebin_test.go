package main

import (
	"context"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// TestRecycleBinDaysRefused refuses a retention that is no positive number
// of days, from the flag and from the environment.
func TestRecycleBinDaysRefused(t *testing.T) {
	for _, v := range []string{"0", "-3"} {
		if _, err := runCmd(t, "serve", "--db", t.TempDir()+"/x.db", "--recycle-bin-days", v); err == nil {
			t.Errorf("--recycle-bin-days %s succeeded; want an error", v)
		}
	}
	t.Setenv("ROADMAPD_RECYCLE_BIN_DAYS", "soon")
	if _, err := runCmd(t, "serve", "--db", t.TempDir()+"/x.db"); err == nil {
		t.Error("ROADMAPD_RECYCLE_BIN_DAYS=soon succeeded; want an error")
	}
}

// TestServePurgesRecycleBin starts a server on a database whose recycle bin
// holds an entry deleted ten days ago and one deleted an hour ago, and checks
// that the server removes the old one by itself and keeps the other, with
// the retention taken from ROADMAPD_RECYCLE_BIN_DAYS.
func TestServePurgesRecycleBin(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/roadmapd.db"
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Seed(ctx, demo.Account()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key string
		ago time.Duration
	}{{"PRJ1-2", 10 * 24 * time.Hour}, {"PRJ1-3", time.Hour}} {
		f, err := db.Feature(ctx, c.key)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-c.ago)
		db.Now = func() time.Time { return at }
		if err := db.DeleteFeature(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	t.Setenv("ROADMAPD_RECYCLE_BIN_DAYS", "7")
	srv := startServe(t, "--db", path)
	defer srv.shutdown(t)
	db, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, _, err := db.Deletions(ctx, roadmap.DeletionFilter{Page: roadmap.Page{Page: 1, PerPage: 30}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 {
			if ds[0].ReferenceNum != "PRJ1-3" {
				t.Errorf("kept %+v, want the entry deleted an hour ago", ds[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server left %d entries in the recycle bin, want 1", len(ds))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
