package api

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipMinBytes is the smallest body sent compressed: below it gzip's header
// costs more than it saves.
const gzipMinBytes = 1024

// bufferedWriter holds an answer until the handler is done, so that its
// ETag can be computed and its body compressed.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	buf    bytes.Buffer
	// cached, when set, is the answer sent instead of buf, with its ETag
	// and compressed body computed once for every request it answers.
	cached *answer
}

func (w *bufferedWriter) WriteHeader(code int) {
	if w.wrote || code < 200 {
		return
	}
	w.wrote = true
	w.status = code
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.buf.Write(b)
}

// Unwrap gives http.ResponseController the connection's writer, for
// deadlines; what is written still goes through the buffer.
func (w *bufferedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// gzipPool holds writers at gzip's fastest level: on answers of a few
// kilobytes it saves nearly as many bytes as the default level for a
// fraction of the time, which the default level spends on every read.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// finish sends the held answer: a GET (or HEAD) 200 gets a strong ETag, a
// hash of its body, and answers 304 without a body when If-None-Match holds
// it; a body of gzipMinBytes or more is compressed when the client accepts
// gzip.
func finish(w *bufferedWriter, r *http.Request) {
	out := w.ResponseWriter
	h := out.Header()
	body := w.buf.Bytes()
	if w.cached != nil {
		body = w.cached.body
	}
	status := w.status
	if status == http.StatusNoContent || status == http.StatusNotModified {
		out.WriteHeader(status)
		return
	}
	h.Add("Vary", "Accept-Encoding")
	gz := len(body) >= gzipMinBytes && acceptsGzip(r) && h.Get("Content-Encoding") == ""
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && status == http.StatusOK {
		var tag string
		if w.cached != nil {
			tag = w.cached.etag()
		} else {
			tag = bodyTag(body)
		}
		etag := `"` + tag + `"`
		if gz {
			// The compressed answer is another representation, so it
			// carries another strong tag.
			etag = `"` + tag + `-gzip"`
		}
		h.Set("ETag", etag)
		if noneMatch(r.Header.Get("If-None-Match"), tag) {
			h.Del("Content-Type")
			h.Del("Content-Length")
			out.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if gz {
		if w.cached != nil {
			body = w.cached.gzipped()
		} else {
			body = gzipBody(body)
		}
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	out.WriteHeader(status)
	out.Write(body)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(coding) != "*" {
				continue
			}
			params = strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			if q, ok := strings.CutPrefix(params, "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// noneMatch reports whether an If-None-Match header names the answer of
// the given tag, in its identity or gzip form (weak comparison, as RFC 9110
// asks for If-None-Match).
func noneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		if t == `"`+tag+`"` || t == `"`+tag+`-gzip"` {
			return true
		}
	}
	return false
}
