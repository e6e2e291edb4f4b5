package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"sync"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// DefaultReadCacheBytes is Config.ReadCacheBytes when unset.
const DefaultReadCacheBytes = 32 << 20

// maxCachedUsers bounds the tokens whose users the read cache holds.
const maxCachedUsers = 10000

// versioner is a store that tells whether anything in it changed: two equal
// readings of DataVersion mean that no transaction committed in between, in
// this process or in any other sharing the database.
type versioner interface {
	DataVersion(ctx context.Context) (string, error)
}

// readCache holds the users of API tokens and the answers of GET requests,
// each as read at one data version of the store. A request reads the
// store's version first; what the cache holds for another version is
// dropped, so that a write committed anywhere is seen by the next request
// on every process, and an answer is computed at most once per version.
type readCache struct {
	store versioner
	max   int64

	mu      sync.RWMutex
	version string
	users   map[[sha256.Size]byte]roadmap.User
	answers map[answerKey]*answer
	bytes   int64
}

// answerKey names an answer: a user's GET of one URL. The user stands for
// everything an answer depends on besides the URL and the data (what the
// user may see).
type answerKey struct {
	user int64
	uri  string
}

// answer is a handler's 200 answer to a GET: the headers the handler set,
// its body, and, once computed, its ETag and compressed form.
type answer struct {
	header http.Header
	body   []byte

	tagOnce sync.Once
	tag     string
	gzOnce  sync.Once
	gz      []byte
}

func newReadCache(s roadmap.Store, max int64) *readCache {
	v, ok := s.(versioner)
	if !ok || max < 0 {
		return nil
	}
	if max == 0 {
		max = DefaultReadCacheBytes
	}
	return &readCache{store: v, max: max}
}

// at makes the cache hold what was read at version v, dropping anything
// held for another version.
func (c *readCache) at(v string) {
	c.mu.RLock()
	same := c.version == v
	c.mu.RUnlock()
	if same {
		return
	}
	c.mu.Lock()
	if c.version != v {
		c.version = v
		c.users = nil
		c.answers = nil
		c.bytes = 0
	}
	c.mu.Unlock()
}

// user returns the user of the token whose hash is h, as read at version v.
func (c *readCache) user(v string, h []byte) (roadmap.User, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.version != v {
		return roadmap.User{}, false
	}
	u, ok := c.users[[sha256.Size]byte(h)]
	return u, ok
}

// putUser keeps the user of a token's hash, read at version v.
func (c *readCache) putUser(v string, h []byte, u roadmap.User) {
	if len(h) != sha256.Size {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		return
	}
	if c.users == nil || len(c.users) >= maxCachedUsers {
		c.users = map[[sha256.Size]byte]roadmap.User{}
	}
	c.users[[sha256.Size]byte(h)] = u
}

// answer returns the answer held for k at version v.
func (c *readCache) answer(v string, k answerKey) *answer {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.version != v {
		return nil
	}
	return c.answers[k]
}

// putAnswer keeps an answer computed from what was read at version v (or
// later: a later version is never v again, so such an answer is never
// served stale), unless the cache is full.
func (c *readCache) putAnswer(v string, k answerKey, a *answer) {
	size := int64(2*len(a.body) + len(k.uri) + 256)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v || c.bytes+size > c.max {
		return
	}
	if c.answers == nil {
		c.answers = map[answerKey]*answer{}
	}
	c.answers[k] = a
	c.bytes += size
}

// etag returns the answer's tag, the hash of its body.
func (a *answer) etag() string {
	a.tagOnce.Do(func() { a.tag = bodyTag(a.body) })
	return a.tag
}

// gzipped returns the answer's body compressed.
func (a *answer) gzipped() []byte {
	a.gzOnce.Do(func() { a.gz = gzipBody(a.body) })
	return a.gz
}

// bodyTag is the strong ETag of a body, without its quotes.
func bodyTag(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// gzipBody compresses a body at gzip's fastest level.
func gzipBody(body []byte) []byte {
	var zb bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&zb)
	zw.Write(body)
	zw.Close()
	gzipPool.Put(zw)
	return zb.Bytes()
}

// cachedGet serves an authenticated GET from the cache when it holds the
// answer at version v, and otherwise runs h and keeps its answer if it is a
// 200. Headers set before (the request ID, the rate limit's) are not part
// of the answer.
func (s *Server) cachedGet(w http.ResponseWriter, r *http.Request, u *roadmap.User, v string, h authedFunc) error {
	ri := infoOf(r.Context())
	if ri == nil || ri.buf == nil {
		return h(w, r, u)
	}
	k := answerKey{user: u.ID, uri: r.URL.RequestURI()}
	hdr := w.Header()
	if a := s.cache.answer(v, k); a != nil {
		for name, values := range a.header {
			hdr[name] = slices.Clone(values)
		}
		ri.buf.cached = a
		ri.buf.WriteHeader(http.StatusOK)
		return nil
	}
	before := hdr.Clone()
	if err := h(w, r, u); err != nil {
		return err
	}
	bw := ri.buf
	if bw.status != http.StatusOK || bw.cached != nil {
		return nil
	}
	a := &answer{header: http.Header{}, body: bytes.Clone(bw.buf.Bytes())}
	for name, values := range hdr {
		if !slices.Equal(before[name], values) {
			a.header[name] = slices.Clone(values)
		}
	}
	bw.cached = a
	s.cache.putAnswer(v, k, a)
	return nil
}
