package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
)

// writeTimeout is the server's write timeout; every request's deadline
// stays below it, so that its answer, a 503 included, is still sent.
const writeTimeout = 60 * time.Second

// guardFlags are serve's limits on requests.
type guardFlags struct {
	requestTimeout  *time.Duration
	maxInflightBody *string
	authFailLimit   *int
	trustXFF        *bool
	readCache       *string
	inflightBytes   int64
	readCacheBytes  int64
}

func addGuardFlags(fs flagSet) (*guardFlags, error) {
	g := &guardFlags{}
	var err error
	if g.requestTimeout, err = fs.duration("request-timeout", api.DefaultRequestTimeout, "deadline of every request, database work included; past it the request answers 503"); err != nil {
		return nil, err
	}
	g.maxInflightBody = fs.str("max-inflight-body", "64MiB", "most bytes of request bodies held at once (e.g. 64MiB, 512KiB, 1000000); past it requests answer 503")
	g.readCache = fs.str("read-cache", "32MiB", "most bytes of GET answers kept for as long as the data does not change (e.g. 32MiB; 0 keeps none)")
	if g.authFailLimit, err = fs.integer("auth-fail-limit", api.DefaultAuthFailLimit, "failed authentications allowed per minute from one client address before it gets 429; 0 turns the limit off"); err != nil {
		return nil, err
	}
	if g.trustXFF, err = fs.boolean("trust-forwarded-for", "take the client address from X-Forwarded-For (only behind a proxy that sets it)"); err != nil {
		return nil, err
	}
	return g, nil
}

// check validates the parsed values.
func (g *guardFlags) check(writeTimeout time.Duration) error {
	if *g.requestTimeout <= 0 || *g.requestTimeout >= writeTimeout {
		return fmt.Errorf("--request-timeout must be above 0 and below the write timeout %v, not %v", writeTimeout, *g.requestTimeout)
	}
	n, err := parseBytes(*g.maxInflightBody)
	if err != nil || n < api.MaxBodyBytes {
		return fmt.Errorf("--max-inflight-body must be a size of at least 1MiB (e.g. 64MiB), not %q", *g.maxInflightBody)
	}
	g.inflightBytes = n
	if g.readCacheBytes, err = parseBytes(*g.readCache); err != nil {
		return fmt.Errorf("--read-cache must be a size (e.g. 32MiB, or 0 for none), not %q", *g.readCache)
	}
	if *g.authFailLimit < 0 {
		return fmt.Errorf("--auth-fail-limit must be 0 (no limit) or more, not %d", *g.authFailLimit)
	}
	return nil
}

// apply sets the limits in cfg.
func (g *guardFlags) apply(cfg api.Config) api.Config {
	cfg.RequestTimeout = *g.requestTimeout
	cfg.MaxInflightBody = g.inflightBytes
	cfg.AuthFailLimit = *g.authFailLimit
	if cfg.AuthFailLimit == 0 {
		cfg.AuthFailLimit = -1
	}
	cfg.TrustForwardedFor = *g.trustXFF
	cfg.ReadCacheBytes = g.readCacheBytes
	if cfg.ReadCacheBytes == 0 {
		cfg.ReadCacheBytes = -1
	}
	return cfg
}

// parseBytes reads a byte count with an optional KiB, MiB or GiB suffix.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, suffix)), m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a size: %q", s)
	}
	return n * mult, nil
}
