package store_test

import (
	"os"
	"testing"

	"github.com/roadmapd/roadmapd/internal/testdb"
)

func TestMain(m *testing.M) {
	os.Exit(testdb.Main(m))
}
