package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/roadmapd/roadmapd/internal/roadmap"
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
