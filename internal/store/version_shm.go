//go:build unix

package store

import (
	"encoding/binary"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// walHeader reads SQLite's WAL-index header from the database's -shm file,
// mapped into memory: the two copies of the header that open the file
// (https://www.sqlite.org/walformat.html, "The WAL-Index Header"), 48
// bytes each. Every connection that commits to the database, in this
// process or another, writes the header: its iChange field counts the
// commits (and the resets of the WAL), and the writer updates the second
// copy, then the first. A reader that finds both copies alike has a
// header that no writer was changing, the same test SQLite's own readers
// make before they trust it.
//
// Reading it costs a few loads from memory, where PRAGMA data_version
// begins and ends a read transaction (file locks, system calls).
type walHeader struct {
	mem []byte
}

// walHeaderSize is one copy's size; walIndexVersion is the format that the
// header's first field names (3007000).
const (
	walHeaderSize   = 48
	walIndexVersion = 3007000
)

// openWALHeader maps the start of dbPath's -shm file. The caller keeps a
// connection to the database open for as long as it reads the header: an
// open connection holds a shared lock that stops SQLite from deleting or
// truncating the file.
func openWALHeader(dbPath string) (*walHeader, error) {
	f, err := os.Open(dbPath + "-shm")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	const size = 4096
	if st.Size() < size {
		return nil, os.ErrNotExist
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return &walHeader{mem: mem}, nil
}

// version returns the header's reading, or false when the two copies
// differ (a writer is updating them) or the header is not one SQLite
// initialised in the known format: the caller then asks SQLite itself.
func (h *walHeader) version() (string, bool) {
	words := (*[2 * walHeaderSize / 4]uint32)(unsafe.Pointer(&h.mem[0]))
	var first, second [walHeaderSize / 4]uint32
	for i := range first {
		first[i] = atomic.LoadUint32(&words[i])
	}
	for i := range second {
		second[i] = atomic.LoadUint32(&words[len(first)+i])
	}
	if first != second {
		return "", false
	}
	// The header's fields, in native byte order, by word: iVersion, an
	// unused one, iChange, isInit with bigEndCksum and szPage, mxFrame,
	// nPage, aFrameCksum[2], aSalt[2], aCksum[2]. isInit is the word's
	// first byte.
	var initWord [4]byte
	binary.NativeEndian.PutUint32(initWord[:], first[3])
	if first[0] != walIndexVersion || initWord[0] != 1 {
		return "", false
	}
	out := make([]byte, 0, 48)
	out = append(out, 'w')
	for i, w := range []uint32{first[2], first[4], first[8], first[9]} {
		if i > 0 {
			out = append(out, '.')
		}
		out = strconv.AppendUint(out, uint64(w), 10)
	}
	return string(out), true
}

// close unmaps the header.
func (h *walHeader) close() {
	syscall.Munmap(h.mem)
	h.mem = nil
}
