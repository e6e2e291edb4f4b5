package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/store"
	"github.com/roadmapd/roadmapd/internal/webhook"
)

const webhookUsage = `usage:
  roadmapd webhook list [flags]                          list the activity webhooks
  roadmapd webhook create --url URL [flags]              register an endpoint
  roadmapd webhook update --id ID [flags]                change an endpoint
  roadmapd webhook delete --id ID [flags]                delete an endpoint and its deliveries

Every command takes -h for its flags.
`

// webhookCommand is `roadmapd webhook list|create|update|delete`.
func webhookCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprint(stdout, webhookUsage)
		return nil
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, webhookUsage)
		return usageError(errors.New("no webhook command given"))
	}
	switch args[0] {
	case "list":
		return webhookList(ctx, args[1:], stdout, stderr)
	case "create", "update":
		return webhookWrite(ctx, args[0], args[1:], stdout, stderr)
	case "delete":
		return webhookDelete(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, webhookUsage)
	return usageError(fmt.Errorf("unknown webhook command %q", args[0]))
}

func webhookList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("webhook list", stdout, stderr)
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENABLED\tSECRET\tRECORD TYPES\tURL")
	for page := 1; ; page++ {
		hooks, total, err := st.Webhooks(ctx, roadmap.Page{Page: page, PerPage: roadmap.MaxPerPage})
		if err != nil {
			return err
		}
		for _, h := range hooks {
			fmt.Fprintln(tw, webhookLine(h))
		}
		if page*roadmap.MaxPerPage >= total {
			break
		}
	}
	return tw.Flush()
}

// webhookLine is a webhook as list, create and update print it.
func webhookLine(h *roadmap.Webhook) string {
	types := "all"
	if len(h.RecordTypes) > 0 {
		types = strings.Join(h.RecordTypes, ",")
	}
	secret := "none"
	if h.Secret != "" {
		secret = "set"
	}
	return fmt.Sprintf("%d\t%t\t%s\t%s\t%s", h.ID, h.Enabled, secret, types, h.URL)
}

// webhookWrite is create and update: the flags given set the fields.
func webhookWrite(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("webhook "+cmd, stdout, stderr)
	var idFlag *int64
	if cmd == "update" {
		idFlag = fs.Int64("id", 0, "ID of the webhook")
	}
	url := fs.String("url", "", "where deliveries are POSTed: an absolute http or https URL")
	secret := fs.String("secret", "", "the key that signs deliveries (visible to other users of the machine; prefer --secret-file or ROADMAPD_WEBHOOK_SECRET)")
	secretFile := fs.String("secret-file", "", "file whose first line is the key that signs deliveries")
	enabled := fs.Bool("enabled", true, "queue audits for the endpoint")
	types := fs.String("record-types", "", `comma-separated auditable types to deliver, such as "feature,release"; empty delivers all`)
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var in roadmap.WebhookInput
	if set["url"] || cmd == "create" {
		if *url == "" {
			fs.printUsage(stderr)
			return usageError(fmt.Errorf("webhook %s needs --url URL", cmd))
		}
		in.URL = roadmap.Some(*url)
	}
	switch {
	case set["secret"] && set["secret-file"]:
		return usageError(errors.New("give --secret or --secret-file, not both"))
	case set["secret"]:
		in.Secret = roadmap.Some(*secret)
	case set["secret-file"]:
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			return fmt.Errorf("reading --secret-file: %w", err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		in.Secret = roadmap.Some(strings.TrimRight(first, "\r"))
	default:
		if v, ok := os.LookupEnv("ROADMAPD_WEBHOOK_SECRET"); ok {
			in.Secret = roadmap.Some(v)
		}
	}
	if set["enabled"] || cmd == "create" {
		in.Enabled = roadmap.Some(*enabled)
	}
	if set["record-types"] {
		var list []string
		for _, t := range strings.Split(*types, ",") {
			if t = strings.TrimSpace(t); t != "" {
				list = append(list, t)
			}
		}
		in.RecordTypes = roadmap.Some(list)
	}
	if cmd == "update" && *idFlag <= 0 {
		fs.printUsage(stderr)
		return usageError(errors.New("webhook update needs --id ID"))
	}
	// Checked before the database is opened, so that a mistake changes
	// nothing.
	check := in
	if err := roadmap.ValidateWebhook(&check, cmd == "create"); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	var h *roadmap.Webhook
	if cmd == "create" {
		h, err = st.CreateWebhook(ctx, in)
	} else {
		h, err = st.UpdateWebhook(ctx, *idFlag, in)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENABLED\tSECRET\tRECORD TYPES\tURL")
	fmt.Fprintln(tw, webhookLine(h))
	return tw.Flush()
}

func webhookDelete(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("webhook delete", stdout, stderr)
	idFlag := fs.Int64("id", 0, "ID of the webhook")
	db, err := addDBFlags(fs)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *idFlag <= 0 {
		fs.printUsage(stderr)
		return usageError(errors.New("webhook delete needs --id ID"))
	}
	st, err := db.open(ctx)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer st.Close()
	if err := st.DeleteWebhook(ctx, *idFlag); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deleted webhook %s\n", strconv.FormatInt(*idFlag, 10))
	return nil
}

// webhookFlags are serve's flags for delivering webhooks, and the worker
// they start.
type webhookFlags struct {
	timeout     *time.Duration
	concurrency *int
	poll        *time.Duration
	stop        context.CancelFunc
	done        chan struct{}
}

func addWebhookFlags(fs flagSet) (*webhookFlags, error) {
	w := &webhookFlags{}
	var err error
	if w.timeout, err = fs.duration("webhook-timeout", webhook.DefaultTimeout, "most time one webhook call may take; past it the delivery is retried"); err != nil {
		return nil, err
	}
	if w.concurrency, err = fs.integer("webhook-concurrency", webhook.DefaultConcurrency, "webhook calls in flight at once in this process; 0 leaves delivery to other processes"); err != nil {
		return nil, err
	}
	if w.poll, err = fs.duration("webhook-poll", webhook.DefaultPoll, "pause between looks for due webhook deliveries when none is due"); err != nil {
		return nil, err
	}
	return w, nil
}

// check validates the parsed values.
func (w *webhookFlags) check() error {
	if *w.timeout <= 0 {
		return usageError(fmt.Errorf("--webhook-timeout must be above 0, not %v", *w.timeout))
	}
	if *w.concurrency < 0 || *w.concurrency > 1000 {
		return usageError(fmt.Errorf("--webhook-concurrency must be from 0 to 1000, not %d", *w.concurrency))
	}
	if *w.poll < 10*time.Millisecond {
		return usageError(fmt.Errorf("--webhook-poll must be at least 10ms, not %v", *w.poll))
	}
	return nil
}

// start runs the delivery worker until ctx is done; it runs apart from the
// request handlers, so that a slow endpoint never holds up a request.
func (w *webhookFlags) start(ctx context.Context, st *store.DB, render webhook.RenderFunc, log *slog.Logger) {
	if *w.concurrency == 0 {
		return
	}
	ctx, w.stop = context.WithCancel(ctx)
	w.done = make(chan struct{})
	wk := &webhook.Worker{
		Store:       st,
		Render:      render,
		Timeout:     *w.timeout,
		Concurrency: *w.concurrency,
		Poll:        *w.poll,
		Logger:      log,
	}
	go func() {
		defer close(w.done)
		wk.Run(ctx)
	}()
}

// wait stops the worker and waits for the calls in flight to end.
func (w *webhookFlags) wait(log *slog.Logger) {
	if w.done == nil {
		return
	}
	w.stop()
	log.Info("shutting down: finishing webhook calls in flight")
	<-w.done
}
