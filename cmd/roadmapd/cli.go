package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/roadmapd/roadmapd/internal/api"
)

// exitError is an error that ends the process with its own exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a mistake in the command line: exit code 2.
func usageError(err error) error { return &exitError{code: 2, err: err} }

// exitCode is the process exit code for what run returned.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// errHelp is returned by Parse after printing a command's help: the command
// does nothing more, and run succeeds.
var errHelp = errors.New("help shown")

// commandHelp is the first lines of each command's usage.
var commandHelp = map[string]string{
	"serve":          "usage: roadmapd serve [flags]\n\nServe the API.\n",
	"init":           "usage: roadmapd init --email E --name N [flags]\n\nCreate the account administrator and print its API token.\n",
	"token create":   "usage: roadmapd token create --user EMAIL [flags]\n\nPrint a new API token for a user.\n",
	"backup":         "usage: roadmapd backup --db PATH --to FILE\n\nWrite a consistent copy of a SQLite database, also while a server writes to it.\nFor PostgreSQL use pg_dump.\n",
	"version":        "usage: roadmapd version\n\nPrint the version, revision and Go version roadmapd was built with.\n",
	"webhook list":   "usage: roadmapd webhook list [flags]\n\nList the activity webhooks.\n",
	"webhook create": "usage: roadmapd webhook create --url URL [flags]\n\nRegister an activity webhook: every audit committed from now on is POSTed to URL.\nThe secret may also come from ROADMAPD_WEBHOOK_SECRET.\n",
	"webhook update": "usage: roadmapd webhook update --id ID [flags]\n\nChange an activity webhook; the flags given set the fields.\n",
	"webhook delete": "usage: roadmapd webhook delete --id ID [flags]\n\nDelete an activity webhook and its deliveries.\n",
}

// printUsage writes the command's usage and its flags to w.
func (fs flagSet) printUsage(w io.Writer) {
	fmt.Fprint(w, commandHelp[fs.Name()])
	fs.SetOutput(w)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(w, "\nflags:\n")
		fs.PrintDefaults()
	}
	fs.SetOutput(io.Discard)
}

// Parse parses the command's flags. -h or --help prints the usage to
// stdout and returns errHelp; a bad flag or a stray argument prints it to
// stderr and returns a usage error.
func (fs flagSet) Parse(args []string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.FlagSet.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.printUsage(fs.stdout)
		return errHelp
	case err != nil:
		fs.printUsage(fs.stderr)
		return usageError(err)
	case fs.NArg() > 0:
		fs.printUsage(fs.stderr)
		return usageError(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// version prints the build information: the module version, the VCS
// revision, its time and whether the tree was modified, and the Go version.
func version(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", stdout, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(stdout, "roadmapd (no build information)")
		return nil
	}
	fmt.Fprint(stdout, versionText(bi))
	return nil
}

// versionText describes a build: the module version, then the VCS
// settings that the build recorded, then the Go version.
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(&b, "roadmapd %s\n", v)
	for _, key := range []string{"vcs.revision", "vcs.time", "vcs.modified"} {
		for _, s := range bi.Settings {
			if s.Key == key {
				fmt.Fprintf(&b, "%s: %s\n", strings.TrimPrefix(key, "vcs."), s.Value)
			}
		}
	}
	fmt.Fprintf(&b, "go: %s\n", bi.GoVersion)
	return b.String()
}

// opsFlags are serve's flags for logs, rate limits and metrics.
type opsFlags struct {
	logFormat, logLevel, rateLimit, metricsAddr *string
}

func addOpsFlags(fs flagSet) *opsFlags {
	return &opsFlags{
		logFormat:   fs.str("log-format", "text", "log format: text or json"),
		logLevel:    fs.str("log-level", "info", "least severe level logged: debug, info, warn or error"),
		rateLimit:   fs.str("rate-limit", api.DefaultRateLimits, `requests per authenticated user, such as "300/m,20/s", or off`),
		metricsAddr: fs.str("metrics-addr", "", "serve /metrics on this address instead of the API's"),
	}
}

// logger builds the logger the flags ask for, writing to w.
func (o *opsFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(*o.logLevel)); err != nil {
		return nil, usageError(fmt.Errorf("--log-level must be debug, info, warn or error, not %q", *o.logLevel))
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(*o.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError(fmt.Errorf("--log-format must be text or json, not %q", *o.logFormat))
}

// rateLimits parses --rate-limit.
func (o *opsFlags) rateLimits() ([]api.RateLimit, error) {
	l, err := api.ParseRateLimits(*o.rateLimit)
	if err != nil {
		return nil, usageError(fmt.Errorf("--rate-limit: %w", err))
	}
	return l, nil
}
