package api

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// opsState is what the server keeps for operating it: the rate limiter and
// the metrics.
type opsState struct {
	limiter *limiter
	metrics *metrics
}

// initOps sets up the rate limiter, the metrics (and their /metrics route
// unless they are served elsewhere) and the request ID in log records.
func (s *Server) initOps() {
	s.log = slog.New(requestIDHandler{s.log.Handler()})
	s.ops.limiter = newLimiter(s.cfg.RateLimits)
	s.ops.metrics = newMetrics(nil, s.store)
	if !s.cfg.MetricsElsewhere {
		s.mux.Handle("GET /metrics", s.Metrics())
	}
}

// reqInfo is what the layers of a request tell the request log.
type reqInfo struct {
	id        string
	user      int64
	abandoned bool
	// buf holds the answer until it is sent, for the read cache.
	buf *bufferedWriter
	// pattern is the route the request matched ("" for none).
	pattern string
}

type reqInfoKey struct{}

func infoOf(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(reqInfoKey{}).(*reqInfo)
	return ri
}

// maxRequestIDLen is the longest X-Request-Id taken from a client.
const maxRequestIDLen = 128

// requestID returns the client's X-Request-Id when it is sane (printable
// ASCII without spaces, at most maxRequestIDLen bytes), else a new one.
func requestID(given string) string {
	if given != "" && len(given) <= maxRequestIDLen {
		ok := true
		for i := 0; i < len(given); i++ {
			if c := given[i]; c < 0x21 || c > 0x7e {
				ok = false
				break
			}
		}
		if ok {
			return given
		}
	}
	return rand.Text()
}

// ServeHTTP serves a request: it gives it a request ID, answers it through
// the compressing, ETag-computing writer, and then logs it once and counts
// it in the metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ri := &reqInfo{id: requestID(r.Header.Get("X-Request-Id"))}
	w.Header().Set("X-Request-Id", ri.id)
	r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
	_, pattern := s.mux.Handler(r)
	ri.pattern = pattern
	cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
	if pattern == "GET /metrics" {
		s.serveRoutes(cw, r)
	} else {
		bw := &bufferedWriter{ResponseWriter: cw, status: http.StatusOK}
		ri.buf = bw
		s.serveRoutes(bw, r)
		if !ri.abandoned {
			finish(bw, r)
		}
	}

	d := time.Since(start)
	status := cw.status
	route := "unmatched"
	if pattern != "" {
		_, route, _ = strings.Cut(pattern, " ")
	}
	msg, level := "request", slog.LevelInfo
	if ri.abandoned {
		// 499, as proxies record a request whose client went away.
		msg, status = "request abandoned by the client", 499
	} else if status >= 500 {
		level = slog.LevelWarn
	}
	s.ops.metrics.observe(route, r.Method, status, d)
	attrs := []slog.Attr{
		slog.String("request_id", ri.id),
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", cw.bytes),
		slog.Duration("duration", d),
	}
	if ri.user != 0 {
		attrs = append(attrs, slog.Int64("user_id", ri.user))
	}
	s.log.LogAttrs(context.Background(), level, msg, attrs...)
}

// abandoned reports whether the client of r has gone away (its context is
// canceled), and then marks the request so that it is logged as abandoned
// rather than as a failure. Nothing is answered to a client that is gone.
func (s *Server) abandoned(r *http.Request) bool {
	if r.Context().Err() != context.Canceled {
		return false
	}
	if ri := infoOf(r.Context()); ri != nil {
		ri.abandoned = true
	}
	return true
}

// countingWriter records the status and the bytes written to the client.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *countingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestIDHandler adds the request ID of the context to every record
// logged with one.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if ri := infoOf(ctx); ri != nil {
		rec.AddAttrs(slog.String("request_id", ri.id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
