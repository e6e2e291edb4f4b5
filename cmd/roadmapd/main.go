// Command roadmapd serves Aha!'s REST API for release planning from a SQLite
// file or a PostgreSQL database.
//
//	roadmapd serve [--addr A] [--db PATH|URL] [--base-url URL] [--demo] [--fiscal-year-start M]
//	roadmapd init --email E --name N
//	roadmapd token create --user EMAIL
//	roadmapd user set-password --user EMAIL
//	roadmapd backup --db PATH --to FILE
//	roadmapd webhook list|create|update|delete
//	roadmapd version
//
// Every flag falls back to an environment variable ROADMAPD_<FLAG> (dashes
// as underscores): --db is ROADMAPD_DB.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "roadmapd:", err)
		os.Exit(exitCode(err))
	}
}

const usage = `usage:
  roadmapd serve [flags]                 serve the API (roadmapd serve -h for flags)
  roadmapd init --email E --name N       create the account administrator and print a token
  roadmapd token create --user EMAIL     print a new API token for a user
  roadmapd user set-password --user EMAIL   set a user's sign-in password (read from stdin or a prompt)
  roadmapd backup --db PATH --to FILE    copy a SQLite database consistently, also while it is served
  roadmapd webhook list|create|update|delete   manage the activity webhooks
  roadmapd version                       print the version and build information

Every command takes -h for its flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := runCommand(ctx, args, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError(errors.New("no command given"))
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "init":
		return initAccount(ctx, args[1:], stdout, stderr)
	case "token":
		if len(args) == 2 && isHelp(args[1]) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return usageError(errors.New("unknown token command"))
		}
		return createToken(ctx, args[2:], stdout, stderr)
	case "user":
		if len(args) == 2 && isHelp(args[1]) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		if len(args) < 2 || args[1] != "set-password" {
			fmt.Fprint(stderr, usage)
			return usageError(errors.New("unknown user command"))
		}
		return userSetPassword(ctx, args[2:], stdout, stderr)
	case "backup":
		return backup(ctx, args[1:], stdout, stderr)
	case "webhook":
		return webhookCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		return version(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError(fmt.Errorf("unknown command %q", args[0]))
}

// flagSet is a FlagSet whose flags fall back to ROADMAPD_* variables.
type flagSet struct {
	*flag.FlagSet
	stdout, stderr io.Writer
}

func newFlagSet(name string, stdout, stderr io.Writer) flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return flagSet{fs, stdout, stderr}
}

func envName(flagName string) string {
	return "ROADMAPD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		return v
	}
	return def
}

func (fs flagSet) str(name, def, help string) *string {
	return fs.String(name, envOr(name, def), help+" (env "+envName(name)+")")
}

func (fs flagSet) integer(name string, def int, help string) (*int, error) {
	v := def
	if s, ok := os.LookupEnv(envName(name)); ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%s=%q is not a number", envName(name), s)
		}
		v = n
	}
	return fs.Int(name, v, help+" (env "+envName(name)+")"), nil
}

func (fs flagSet) duration(name string, def time.Duration, help string) (*time.Duration, error) {
	v := def
	if s, ok := os.LookupEnv(envName(name)); ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("%s=%q is not a duration", envName(name), s)
		}
		v = d
	}
	return fs.Duration(name, v, help+" (env "+envName(name)+")"), nil
}

func (fs flagSet) boolean(name string, help string) (*bool, error) {
	v := false
	if s, ok := os.LookupEnv(envName(name)); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%s=%q is not true or false", envName(name), s)
		}
		v = b
	}
	return fs.Bool(name, v, help+" (env "+envName(name)+")"), nil
}

// dbFlags are the database flags every command shares.
type dbFlags struct {
	dsn             *string
	maxOpen, maxIdl *int
	lifetime, idle  *time.Duration
	synchronous     *string
	// statementTimeout is serve's request timeout; other commands keep the
	// store's default.
	statementTimeout time.Duration
}

func addDBFlags(fs flagSet) (*dbFlags, error) {
	d := &dbFlags{dsn: fs.str("db", "roadmapd.db", "SQLite file path, or a postgres:// URL")}
	var err error
	if d.maxOpen, err = fs.integer("db-max-open-conns", 0, "most open connections (PostgreSQL default 10; SQLite readers default 4)"); err != nil {
		return nil, err
	}
	if d.maxIdl, err = fs.integer("db-max-idle-conns", 0, "most idle connections kept (PostgreSQL; default 5)"); err != nil {
		return nil, err
	}
	if d.lifetime, err = fs.duration("db-conn-max-lifetime", 0, "close connections older than this (PostgreSQL; default 30m)"); err != nil {
		return nil, err
	}
	if d.idle, err = fs.duration("db-conn-max-idle-time", 0, "close connections idle longer than this (PostgreSQL; default 5m)"); err != nil {
		return nil, err
	}
	d.synchronous = fs.str("sqlite-synchronous", "full", "SQLite synchronous setting: full (commits survive power loss) or normal (faster)")
	return d, nil
}

func (d *dbFlags) open(ctx context.Context) (*store.DB, error) {
	return store.Open(ctx, *d.dsn, store.Options{
		MaxOpenConns:      *d.maxOpen,
		MaxIdleConns:      *d.maxIdl,
		ConnMaxLifetime:   *d.lifetime,
		ConnMaxIdleTime:   *d.idle,
		SQLiteSynchronous: *d.synchronous,
		StatementTimeout:  d.statementTimeout,
	})
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stdout, stderr)
	addr := fs.str("addr", "127.0.0.1:8080", "address to listen on")
	baseURL := fs.str("base-url", "", "base URL for url and resource links (default http://ADDR)")
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	demoFlag, err := fs.boolean("demo", "load the demo account into an empty database")
	if err != nil {
		return err
	}
	fyStart, err := fs.integer("fiscal-year-start", 1, "month (1-12) the fiscal year starts in")
	if err != nil {
		return err
	}
	o := addOpsFlags(fs)
	guards, err := addGuardFlags(fs)
	if err != nil {
		return err
	}
	hooks, err := addWebhookFlags(fs)
	if err != nil {
		return err
	}
	binDays, err := addRecycleBinFlag(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkRecycleBinDays(*binDays); err != nil {
		return err
	}
	if *fyStart < 1 || *fyStart > 12 {
		return fmt.Errorf("--fiscal-year-start must be a month number from 1 to 12, not %d", *fyStart)
	}
	if err := guards.check(writeTimeout); err != nil {
		return err
	}
	if err := hooks.check(); err != nil {
		return err
	}
	db.statementTimeout = *guards.requestTimeout
	log, err := o.logger(stderr)
	if err != nil {
		return err
	}
	limits, err := o.rateLimits()
	if err != nil {
		return err
	}

	// The database is opened before listening; only a PostgreSQL server
	// that does not answer yet is waited for while listening.
	st, err := db.open(ctx)
	if err != nil && !store.Unavailable(*db.dsn, err) {
		return fmt.Errorf("opening the database: %w", err)
	}
	var opened atomic.Pointer[store.DB]
	opened.Store(st)
	defer func() {
		if st := opened.Load(); st != nil {
			if err := st.Close(); err != nil {
				log.Error("closing the database", "err", err)
			}
		}
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *baseURL == "" {
		*baseURL = "http://" + ln.Addr().String()
	}
	apiGate, metricsGate := &gate{}, &gate{}
	ready := func(st *store.DB) error {
		if *demoFlag {
			loaded, err := st.Seed(ctx, demo.Account())
			if err != nil {
				return fmt.Errorf("loading the demo account: %w", err)
			}
			if loaded {
				if err := demo.Load(ctx, st, time.Now()); err != nil {
					return fmt.Errorf("loading the demo account: %w", err)
				}
				log.Info("loaded the demo account", "token", demo.Token, "password", demo.Password)
			} else {
				log.Info("the database already holds data; the demo account was not loaded and nothing was changed")
			}
		}
		go purgeRecycleBin(ctx, st, *binDays, log)
		h := api.New(st, guards.apply(api.Config{BaseURL: *baseURL, FiscalYearStart: *fyStart, Logger: log, RateLimits: limits, MetricsElsewhere: *o.metricsAddr != ""}))
		metricsGate.open(h.Metrics())
		apiGate.open(handler(h, st, *baseURL, *fyStart, log))
		hooks.start(ctx, st, h.AuditJSON, log)
		return nil
	}
	errc := make(chan error, 3)
	started := make(chan struct{})
	if st != nil {
		close(started)
		if err := ready(st); err != nil {
			ln.Close()
			return err
		}
	} else {
		log.Warn("opening the database failed", "err", err)
		go func() {
			defer close(started)
			st, err := openUntilUp(ctx, log, *db.dsn, db.open, firstRetry)
			if err == nil {
				opened.Store(st)
				err = ready(st)
			}
			if err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
	}
	errorLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	srv := &http.Server{
		Handler:           apiGate,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          errorLog,
	}
	servers := []*http.Server{srv}
	if *o.metricsAddr != "" {
		mln, err := net.Listen("tcp", *o.metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metricsGate)
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}
		servers = append(servers, msrv)
		go func() {
			log.Info("serving metrics", "addr", mln.Addr().String())
			errc <- msrv.Serve(mln)
		}()
	}
	go func() {
		log.Info("listening", "addr", ln.Addr().String(), "base_url", *baseURL)
		errc <- srv.Serve(ln)
	}()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	<-started
	hooks.wait(log)
	return serveErr
}

// handler serves the API under /api/ and at /healthz, /readyz and /metrics,
// and the web UI everywhere else.
func handler(apiH http.Handler, st *store.DB, baseURL string, fyStart int, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", apiH)
	mux.Handle("/healthz", apiH)
	mux.Handle("/readyz", apiH)
	mux.Handle("/metrics", apiH)
	mux.Handle("/", web.New(st, web.Config{BaseURL: baseURL, FiscalYearStart: fyStart, Logger: log}))
	return mux
}

func initAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("init", stdout, stderr)
	email := fs.str("email", "", "the administrator's email")
	name := fs.str("name", "", "the administrator's name")
	pwFile := fs.String("password-file", "", "file holding the administrator's sign-in password (else ROADMAPD_PASSWORD, else a prompt)")
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		fs.printUsage(stderr)
		return usageError(errors.New("init needs --email and --name"))
	}
	pw, err := initPassword(*pwFile, stderr)
	if err != nil {
		return err
	}
	if pw != "" {
		if err := roadmap.ValidatePassword(pw); err != nil {
			return err
		}
	}
	st, err := db.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	u, err := st.CreateAdmin(ctx, *name, *email)
	if err != nil {
		return err
	}
	if pw != "" {
		if err := setPassword(ctx, st, u.ID, pw); err != nil {
			return err
		}
	}
	return issueToken(ctx, st, u, stdout)
}

func createToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", stdout, stderr)
	email := fs.str("user", "", "email of the user the token is for")
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		fs.printUsage(stderr)
		return usageError(errors.New("token create needs --user EMAIL"))
	}
	st, err := db.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if err := issueToken(ctx, st, u, stdout); err != nil {
		return fmt.Errorf("no token for %s: %w", u.Email, err)
	}
	return nil
}

// issueToken stores a new token's hash and prints the token: the only time
// it is ever shown.
func issueToken(ctx context.Context, st *store.DB, u *roadmap.User, stdout io.Writer) error {
	tok := roadmap.NewToken()
	if err := st.CreateToken(ctx, u.ID, roadmap.HashToken(tok)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
