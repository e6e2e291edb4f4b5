package api

import (
	"encoding/json"
	"net/http"

	"github.com/roadmapd/roadmapd/internal/roadmap"
)

// webhookRoutes are the routes of activity webhooks, a roadmapd extension:
// the account administrator registers endpoints that receive every audit.
func (s *Server) webhookRoutes() map[string]authedFunc {
	routes := map[string]authedFunc{
		"GET /api/v1/webhooks":                                          s.listWebhooks,
		"POST /api/v1/webhooks":                                         s.createWebhook,
		"GET /api/v1/webhooks/{id}":                                     s.getWebhook,
		"PUT /api/v1/webhooks/{id}":                                     s.updateWebhook,
		"DELETE /api/v1/webhooks/{id}":                                  s.deleteWebhook,
		"GET /api/v1/webhooks/{id}/deliveries":                          s.listWebhookDeliveries,
		"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver": s.redeliverWebhookDelivery,
	}
	for pattern, h := range routes {
		routes[pattern] = webhookAdmin(h)
	}
	return routes
}

// webhookAdmin lets only the account administrator near webhooks: they see
// every change of the account.
func webhookAdmin(h authedFunc) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
		if !u.Admin {
			return roadmap.Errorf(roadmap.EFORBIDDEN, "Only an account administrator may manage webhooks")
		}
		return h(w, r, u)
	}
}

// webhookRep is a webhook as the API shows it: never its secret, only
// whether it has one.
func webhookRep(h *roadmap.Webhook) object {
	types := h.RecordTypes
	if types == nil {
		types = []string{}
	}
	return object{
		{"id", id(h.ID)},
		{"url", h.URL},
		{"enabled", h.Enabled},
		{"record_types", types},
		{"secret_set", h.Secret != ""},
		{"created_at", timestamp(h.CreatedAt)},
		{"updated_at", timestamp(h.UpdatedAt)},
	}
}

func deliveryRep(d *roadmap.WebhookDelivery) object {
	var code, lastErr, next any
	if d.LastStatusCode != 0 {
		code = d.LastStatusCode
	}
	if d.LastError != "" {
		lastErr = d.LastError
	}
	if d.Status == roadmap.DeliveryPending {
		next = timestamp(d.NextAttemptAt)
	}
	return object{
		{"id", id(d.ID)},
		{"webhook_id", id(d.WebhookID)},
		{"audit_id", id(d.AuditID)},
		{"status", d.Status},
		{"attempts", d.Attempts},
		{"next_attempt_at", next},
		{"lease_expires_at", optTimestamp(d.LeaseExpiresAt)},
		{"retry_until", timestamp(d.RetryUntil)},
		{"last_status_code", code},
		{"last_error", lastErr},
		{"created_at", timestamp(d.CreatedAt)},
		{"updated_at", timestamp(d.UpdatedAt)},
		{"delivered_at", optTimestamp(d.DeliveredAt)},
	}
}

// webhookInput decodes the fields of a webhook body. Unknown keys are
// ignored.
func webhookInput(rec map[string]json.RawMessage) (roadmap.WebhookInput, error) {
	d := &fieldDecoder{rec: rec}
	in := roadmap.WebhookInput{
		URL:     d.str("url"),
		Secret:  d.str("secret"),
		Enabled: d.boolean("enabled"),
	}
	if raw, ok := rec["record_types"]; ok {
		if isNull(raw) {
			in.RecordTypes = roadmap.Some([]string{})
		} else {
			var types []string
			if err := json.Unmarshal(raw, &types); err != nil {
				d.fail(fieldMalformed("record_types", "record_types must be an array of record type names, such as [\"feature\", \"release\"]"))
			}
			for _, t := range types {
				d.text("record_types", t)
			}
			in.RecordTypes = roadmap.Some(types)
		}
	}
	return in, d.err
}

func (s *Server) writeWebhook(w http.ResponseWriter, status int, h *roadmap.Webhook) error {
	return writeJSON(w, status, object{{"webhook", webhookRep(h)}})
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	hooks, total, err := s.store.Webhooks(r.Context(), page)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(hooks))
	for _, h := range hooks {
		items = append(items, webhookRep(h))
	}
	return writeList(w, "webhooks", items, total, page)
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	b, err := readBody(w, r, "webhook", true)
	if err != nil {
		return err
	}
	in, err := webhookInput(b.record)
	if err != nil {
		return err
	}
	h, err := s.store.CreateWebhook(r.Context(), in)
	if err != nil {
		return err
	}
	return s.writeWebhook(w, http.StatusOK, h)
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	hookID, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	h, err := s.store.Webhook(r.Context(), hookID)
	if err != nil {
		return err
	}
	return s.writeWebhook(w, http.StatusOK, h)
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	hookID, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	b, err := readBody(w, r, "webhook", true)
	if err != nil {
		return err
	}
	in, err := webhookInput(b.record)
	if err != nil {
		return err
	}
	h, err := s.store.UpdateWebhook(r.Context(), hookID, in)
	if err != nil {
		return err
	}
	return s.writeWebhook(w, http.StatusOK, h)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	hookID, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(r.Context(), hookID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listWebhookDeliveries answers a page of a webhook's delivery log, oldest
// first, optionally of one status.
func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	hookID, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	f := roadmap.DeliveryFilter{WebhookID: hookID, Status: r.URL.Query().Get("status")}
	if f.Status != "" && !roadmap.ValidDeliveryStatus(f.Status) {
		return fieldMalformed("status", "status must be pending, delivering, delivered or failed")
	}
	if f.Page, err = pageOf(r); err != nil {
		return err
	}
	ds, total, err := s.store.WebhookDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	items := make([]object, 0, len(ds))
	for _, d := range ds {
		items = append(items, deliveryRep(d))
	}
	return writeList(w, "webhook_deliveries", items, total, f.Page)
}

// redeliverWebhookDelivery queues a delivery again, due now.
func (s *Server) redeliverWebhookDelivery(w http.ResponseWriter, r *http.Request, u *roadmap.User) error {
	hookID, err := pathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	deliveryID, err := pathID(r, "delivery_id", "webhook delivery")
	if err != nil {
		return err
	}
	d, err := s.store.RedeliverWebhookDelivery(r.Context(), hookID, deliveryID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, object{{"webhook_delivery", deliveryRep(d)}})
}
