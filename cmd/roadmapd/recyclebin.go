package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
)

// recycleBinPurgeEvery is how often serve removes recycle-bin entries past
// their retention.
const recycleBinPurgeEvery = 10 * time.Minute

// addRecycleBinFlag adds --recycle-bin-days.
func addRecycleBinFlag(fs flagSet) (*int, error) {
	return fs.integer("recycle-bin-days", roadmap.DefaultRecycleBinDays, "days deleted records stay restorable in the recycle bin before they are removed for good")
}

// checkRecycleBinDays refuses a retention that is not a positive number of
// days.
func checkRecycleBinDays(days int) error {
	if days < 1 || days > 36500 {
		return fmt.Errorf("--recycle-bin-days must be a number of days from 1 to 36500, not %d", days)
	}
	return nil
}

// purgeRecycleBin removes, now and then every recycleBinPurgeEvery until
// ctx ends, the recycle-bin entries deleted more than days ago. Several
// processes on one database may run it at once: each purge is one DELETE.
func purgeRecycleBin(ctx context.Context, st *store.DB, days int, log *slog.Logger) {
	retention := time.Duration(days) * 24 * time.Hour
	t := time.NewTicker(recycleBinPurgeEvery)
	defer t.Stop()
	for {
		n, err := st.PurgeDeletions(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purging the recycle bin", "err", err)
		case n > 0:
			log.Info("purged the recycle bin", "entries", n, "older_than_days", days)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
