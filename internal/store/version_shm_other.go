//go:build !unix

package store

import "errors"

// walHeader is not read on systems without mmap: DataVersion asks SQLite.
type walHeader struct{}

func openWALHeader(string) (*walHeader, error) {
	return nil, errors.New("the WAL-index header is read on Unix only")
}

func (*walHeader) version() (string, bool) { return "", false }

func (*walHeader) close() {}
