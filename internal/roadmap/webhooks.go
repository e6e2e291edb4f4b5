package roadmap

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhook is an endpoint that receives every audit (or those of the record
// types it names) as an HTTP POST.
type Webhook struct {
	ID  int64
	URL string
	// Secret signs the deliveries; empty sends them unsigned. It is never
	// shown back.
	Secret  string
	Enabled bool
	// RecordTypes are the auditable types delivered; empty delivers all.
	RecordTypes []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// WebhookInput holds the fields of a webhook create or update; fields that
// are not set stay as they are.
type WebhookInput struct {
	URL         Opt[string]
	Secret      Opt[string]
	Enabled     Opt[bool]
	RecordTypes Opt[[]string]
}

// Delivery statuses.
const (
	// DeliveryPending waits for its next attempt.
	DeliveryPending = "pending"
	// DeliveryDelivering is being sent by a process that holds its lease.
	DeliveryDelivering = "delivering"
	// DeliveryDelivered was answered with a 2xx status.
	DeliveryDelivered = "delivered"
	// DeliveryFailed was not delivered within WebhookRetryWindow.
	DeliveryFailed = "failed"
)

// WebhookRetryWindow is how long after its first attempt (or a
// redelivery) a delivery is retried before it fails.
const WebhookRetryWindow = 24 * time.Hour

// WebhookDelivery is one audit to be sent to one webhook.
type WebhookDelivery struct {
	// ID follows commit order among the deliveries of one record.
	ID        int64
	WebhookID int64
	AuditID   int64
	// RecordKey names the audited record; deliveries of one record reach
	// an endpoint in ID order.
	RecordKey string
	Status    string
	Attempts  int
	// NextAttemptAt is when a pending delivery is tried next, or when the
	// lease of one being delivered expires.
	NextAttemptAt  time.Time
	LeaseExpiresAt *time.Time
	RetryUntil     time.Time
	// LastStatusCode is the status of the last answer, 0 when there was
	// none (a timeout, a refused connection).
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeliveredAt    *time.Time
	// Webhook is the endpoint, set on claimed deliveries.
	Webhook *Webhook
}

// DeliveryFilter selects the deliveries of one webhook, oldest first.
type DeliveryFilter struct {
	WebhookID int64
	// Status keeps the deliveries in this status; empty keeps all.
	Status string
	Page   Page
}

// DeliveryOutcome is what an attempt at a claimed delivery came to.
type DeliveryOutcome struct {
	// Delivered is set when the endpoint answered 2xx.
	Delivered bool
	// StatusCode is the status of the answer, 0 without one.
	StatusCode int
	// Error says why the attempt failed.
	Error string
	// RetryAt is the time of the next attempt of a failed one; zero marks
	// the delivery failed for good.
	RetryAt time.Time
}

// WebhookStore keeps webhooks and their deliveries.
type WebhookStore interface {
	// Webhooks returns a page of webhooks by ID and the number there are.
	Webhooks(ctx context.Context, page Page) ([]*Webhook, int, error)
	// Webhook returns a webhook by ID.
	Webhook(ctx context.Context, id int64) (*Webhook, error)
	// CreateWebhook registers an endpoint; it receives the audits of the
	// changes that commit after it.
	CreateWebhook(ctx context.Context, in WebhookInput) (*Webhook, error)
	// UpdateWebhook changes a webhook.
	UpdateWebhook(ctx context.Context, id int64, in WebhookInput) (*Webhook, error)
	// DeleteWebhook deletes a webhook and its deliveries.
	DeleteWebhook(ctx context.Context, id int64) error
	// WebhookDeliveries returns a page of a webhook's deliveries, oldest
	// first, and the number that match.
	WebhookDeliveries(ctx context.Context, f DeliveryFilter) ([]*WebhookDelivery, int, error)
	// RedeliverWebhookDelivery queues a delivery of a webhook again, due
	// now, with a new retry window; one being delivered is a conflict.
	RedeliverWebhookDelivery(ctx context.Context, webhookID, deliveryID int64) (*WebhookDelivery, error)
	// ClaimWebhookDeliveries takes up to limit deliveries due at now whose
	// earlier deliveries of the same record to the same endpoint are done,
	// leases them until now+lease and returns them with their webhooks.
	// Concurrent claimers never take the same delivery while its lease
	// holds.
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*WebhookDelivery, error)
	// FinishWebhookDeliveries records the outcomes of attempts at claimed
	// deliveries, outs[i] that of ds[i], together; it changes nothing of a
	// delivery whose lease has passed to another claim meanwhile.
	FinishWebhookDeliveries(ctx context.Context, ds []*WebhookDelivery, outs []DeliveryOutcome) error
}

// Limits of a webhook's fields.
const (
	MaxWebhookURLLen     = 2048
	MaxWebhookSecretLen  = 256
	MaxWebhookRecordType = 50
)

var recordTypeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidateWebhook checks and normalises a webhook's input: the URL must be
// an absolute http or https URL, record types are named as audits name
// them (Feature and feature are feature, KeyResult is key_result), without
// duplicates. create requires the URL.
func ValidateWebhook(in *WebhookInput, create bool) error {
	if create && (!in.URL.Set || in.URL.Null) {
		return FieldErrorf("url", "url is required")
	}
	if in.URL.Set {
		if in.URL.Null {
			return FieldErrorf("url", "url cannot be empty")
		}
		in.URL.V = strings.TrimSpace(in.URL.V)
		if err := validateWebhookURL(in.URL.V); err != nil {
			return err
		}
	}
	if in.Secret.Set {
		if in.Secret.Null {
			in.Secret = Some("")
		}
		if len(in.Secret.V) > MaxWebhookSecretLen || !utf8.ValidString(in.Secret.V) || strings.ContainsRune(in.Secret.V, 0) {
			return FieldErrorf("secret", "secret must be text of at most %d bytes", MaxWebhookSecretLen)
		}
	}
	if in.Enabled.Set && in.Enabled.Null {
		return FieldErrorf("enabled", "enabled must be true or false")
	}
	if in.RecordTypes.Set {
		var types []string
		for _, t := range in.RecordTypes.V {
			t = AuditType(strings.TrimSpace(t))
			if !recordTypeRe.MatchString(t) {
				return FieldErrorf("record_types", "record_types must be record type names such as feature or release, not %q", t)
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
		if len(types) > MaxWebhookRecordType {
			return FieldErrorf("record_types", "record_types may name at most %d types", MaxWebhookRecordType)
		}
		slices.Sort(types)
		in.RecordTypes = Some(types)
	}
	return nil
}

func validateWebhookURL(s string) error {
	if s == "" {
		return FieldErrorf("url", "url cannot be empty")
	}
	if len(s) > MaxWebhookURLLen {
		return FieldErrorf("url", "url must be at most %d characters", MaxWebhookURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || !utf8.ValidString(s) || strings.ContainsAny(s, "\x00 \t\r\n") {
		return FieldErrorf("url", "url must be an absolute http or https URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return FieldErrorf("url", "url must be an absolute http or https URL, such as https://example.com/hooks/roadmapd")
	}
	if u.Fragment != "" {
		return FieldErrorf("url", "url must not have a fragment")
	}
	return nil
}

// ValidDeliveryStatus reports whether s is a delivery status.
func ValidDeliveryStatus(s string) bool {
	switch s {
	case DeliveryPending, DeliveryDelivering, DeliveryDelivered, DeliveryFailed:
		return true
	}
	return false
}
