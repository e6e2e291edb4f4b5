package store_test

import (
	"context"
	"testing"
)

// BenchmarkDataVersion measures one caller's reading of the version, and
// many callers' at once, which share readings.
func BenchmarkDataVersion(b *testing.B) {
	db := mustOpenDB(b, "sqlite")
	ctx := context.Background()
	b.Run("one caller", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.DataVersion(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.DataVersion(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
