package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roadmapd/roadmapd/internal/api"
	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/webhook"
)

// TestWebhookRoutes walks the webhook routes as the administrator: create,
// read, list, update, the delivery log after a change, a redelivery and a
// delete; the secret is never answered.
func TestWebhookRoutes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		r := s.do(t, "POST", "/api/v1/webhooks", `{"webhook":{"url":"https://hooks.example.com/roadmapd","secret":"top secret","record_types":["Release"]}}`)
		if r.Status != 200 {
			t.Fatalf("create: %s", r)
		}
		if strings.Contains(string(r.Body), "top secret") {
			t.Fatalf("the secret is answered: %s", r)
		}
		hook := r.json(t)["webhook"].(map[string]any)
		id := hook["id"].(string)
		if hook["url"] != "https://hooks.example.com/roadmapd" || hook["enabled"] != true || hook["secret_set"] != true || fmt.Sprint(hook["record_types"]) != "[release]" {
			t.Fatalf("created %v", hook)
		}
		if r := s.do(t, "GET", "/api/v1/webhooks/"+id, ""); r.Status != 200 || strings.Contains(string(r.Body), "top secret") {
			t.Fatalf("get: %s", r)
		}
		r = s.do(t, "GET", "/api/v1/webhooks?per_page=1", "")
		if r.Status != 200 || !strings.Contains(string(r.Body), `"pagination":{"total_records":1,"total_pages":1,"current_page":1}`) {
			t.Fatalf("list: %s", r)
		}

		if r := s.do(t, "PUT", "/api/v1/releases/PRJ1-R-1", `{"release":{"name":"Announced"}}`); r.Status != 200 {
			t.Fatalf("PUT release: %s", r)
		}
		r = s.do(t, "GET", "/api/v1/webhooks/"+id+"/deliveries", "")
		if r.Status != 200 {
			t.Fatalf("deliveries: %s", r)
		}
		var log struct {
			Deliveries []struct {
				ID       string `json:"id"`
				Status   string `json:"status"`
				Attempts int    `json:"attempts"`
				AuditID  string `json:"audit_id"`
			} `json:"webhook_deliveries"`
		}
		if err := json.Unmarshal(r.Body, &log); err != nil || len(log.Deliveries) != 1 || log.Deliveries[0].Status != "pending" || log.Deliveries[0].Attempts != 0 {
			t.Fatalf("delivery log after one change: %s", r)
		}
		d := log.Deliveries[0]
		if r := s.do(t, "GET", "/api/v1/webhooks/"+id+"/deliveries?status=delivered", ""); r.Status != 200 || !strings.Contains(string(r.Body), `"webhook_deliveries":[]`) {
			t.Fatalf("delivered deliveries: %s", r)
		}

		// The worker sends the audit exactly as GET /api/v1/audits shows it.
		var got []byte
		var gotSig, gotID string
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = io.ReadAll(r.Body)
			gotSig, gotID = r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.DeliveryHeader)
		}))
		defer rc.Close()
		if r := s.do(t, "PUT", "/api/v1/webhooks/"+id, `{"webhook":{"url":"`+rc.URL+`"}}`); r.Status != 200 {
			t.Fatalf("pointing the webhook at the receiver: %s", r)
		}
		wk := &webhook.Worker{Store: s.DB, Render: api.New(s.DB, api.Config{BaseURL: testBaseURL}).AuditJSON}
		if n, err := wk.RunOnce(context.Background()); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if gotID != d.AuditID || gotSig != webhook.Sign("top secret", got) {
			t.Fatalf("delivery %q signed %q: %s", gotID, gotSig, got)
		}
		r = s.do(t, "GET", "/api/v1/audits?auditable_type=Release", "")
		var audits struct {
			Audits []json.RawMessage `json:"audits"`
		}
		if err := json.Unmarshal(r.Body, &audits); err != nil || r.Status != 200 {
			t.Fatalf("audits: %s", r)
		}
		var listed []byte
		for _, a := range audits.Audits {
			var head struct{ ID string }
			if json.Unmarshal(a, &head) == nil && head.ID == d.AuditID {
				listed = a
			}
		}
		if want := `{"event":"audit","audit":` + string(listed) + `}`; listed == nil || string(got) != want {
			t.Fatalf("delivered\n%s\nwant\n%s", got, want)
		}
		if r := s.do(t, "GET", "/api/v1/webhooks/"+id+"/deliveries?status=delivered", ""); r.Status != 200 || !strings.Contains(string(r.Body), `"attempts":1`) || !strings.Contains(string(r.Body), `"last_status_code":200`) {
			t.Fatalf("delivered deliveries: %s", r)
		}
		r = s.do(t, "POST", "/api/v1/webhooks/"+id+"/deliveries/"+d.ID+"/redeliver", "")
		if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"pending"`) {
			t.Fatalf("redeliver: %s", r)
		}
		for _, path := range []string{"/api/v1/webhooks/" + id + "/deliveries/1" + d.ID + "/redeliver", "/api/v1/webhooks/1" + id + "/deliveries/" + d.ID + "/redeliver", "/api/v1/webhooks/" + id + "/deliveries/x/redeliver"} {
			if r := s.do(t, "POST", path, ""); r.Status != 404 {
				t.Fatalf("redeliver %s: %s", path, r)
			}
		}

		r = s.do(t, "PUT", "/api/v1/webhooks/"+id, `{"webhook":{"enabled":false,"secret":null,"record_types":null}}`)
		if r.Status != 200 {
			t.Fatalf("update: %s", r)
		}
		hook = r.json(t)["webhook"].(map[string]any)
		if hook["enabled"] != false || hook["secret_set"] != false || fmt.Sprint(hook["record_types"]) != "[]" || hook["url"] != rc.URL {
			t.Fatalf("updated %v", hook)
		}
		if r := s.do(t, "DELETE", "/api/v1/webhooks/"+id, ""); r.Status != 204 {
			t.Fatalf("delete: %s", r)
		}
		for _, path := range []string{"/api/v1/webhooks/" + id, "/api/v1/webhooks/" + id + "/deliveries", "/api/v1/webhooks/nope"} {
			if r := s.do(t, "GET", path, ""); r.Status != 404 || string(r.Body) != `{"errors":{"message":"Not found"}}` {
				t.Fatalf("GET %s after the delete: %s", path, r)
			}
		}
	})
}

// TestWebhookValidationAndAccess: bad bodies answer 400 or 422 and create
// nothing; users other than the administrator get 403 on every route.
func TestWebhookValidationAndAccess(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, backend string) {
		s := newDemoServer(t, backend)
		for _, c := range []struct {
			body   string
			status int
			field  string
		}{
			{`{"webhook":{}}`, 422, "url"},
			{`{"webhook":{"url":"ftp://example.com/x"}}`, 422, "url"},
			{`{"webhook":{"url":"example.com/x"}}`, 422, "url"},
			{`{"webhook":{"url":"http:///x"}}`, 422, "url"},
			{`{"webhook":{"url":"https://example.com/x","record_types":["bad type"]}}`, 422, "record_types"},
			{`{"webhook":{"url":"https://example.com/x","secret":"` + strings.Repeat("s", 300) + `"}}`, 422, "secret"},
			{`{"webhook":{"url":42}}`, 400, "url"},
			{`{"webhook":{"url":"https://example.com/x","enabled":"maybe"}}`, 400, "enabled"},
			{`{"webhook":{"url":"https://example.com/x","record_types":"release"}}`, 400, "record_types"},
			{`{"webhook":{"url":"https://example.com/x","record_types":[1]}}`, 400, "record_types"},
			{`{"webhook":[]}`, 400, "webhook"},
			{`{"url":"https://example.com/x"}`, 400, ""},
			{`not json`, 400, ""},
		} {
			r := s.do(t, "POST", "/api/v1/webhooks", c.body)
			if r.Status != c.status {
				t.Errorf("POST %s: %s, want %d", c.body, r, c.status)
				continue
			}
			if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("POST %s: %s, want the field %s named", c.body, r, c.field)
			}
		}
		if r := s.do(t, "GET", "/api/v1/webhooks", ""); r.Status != 200 || !strings.Contains(string(r.Body), `"webhooks":[]`) {
			t.Fatalf("refused creates created webhooks: %s", r)
		}
		r := s.do(t, "POST", "/api/v1/webhooks", `{"webhook":{"url":"http://127.0.0.1:9/hook"}}`)
		if r.Status != 200 {
			t.Fatalf("create: %s", r)
		}
		id := r.json(t)["webhook"].(map[string]any)["id"].(string)
		if r := s.do(t, "PUT", "/api/v1/webhooks/"+id, `{"webhook":{"url":"mailto:x@example.com"}}`); r.Status != 422 {
			t.Fatalf("PUT with a bad URL: %s", r)
		}
		if r := s.do(t, "GET", "/api/v1/webhooks/"+id+"/deliveries?status=lost", ""); r.Status != 400 {
			t.Fatalf("deliveries with an unknown status: %s", r)
		}
		if r := s.do(t, "GET", "/api/v1/webhooks/"+id+"/deliveries?page=0", ""); r.Status != 400 {
			t.Fatalf("deliveries of page 0: %s", r)
		}

		henry := tokenFor(t, s, demo.Henry)
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/webhooks", ""},
			{"POST", "/api/v1/webhooks", `{"webhook":{"url":"https://evil.example.com/"}}`},
			{"GET", "/api/v1/webhooks/" + id, ""},
			{"PUT", "/api/v1/webhooks/" + id, `{"webhook":{"enabled":false}}`},
			{"DELETE", "/api/v1/webhooks/" + id, ""},
			{"GET", "/api/v1/webhooks/" + id + "/deliveries", ""},
			{"POST", "/api/v1/webhooks/" + id + "/deliveries/1/redeliver", ""},
		} {
			r := s.do(t, c.method, c.path, c.body, henry)
			if r.Status != 403 || strings.Contains(string(r.Body), "127.0.0.1") {
				t.Errorf("%s %s as a contributor: %s, want 403", c.method, c.path, r)
			}
		}
		if r := s.do(t, "GET", "/api/v1/webhooks/"+id, ""); r.Status != 200 || !strings.Contains(string(r.Body), `"enabled":true`) {
			t.Fatalf("after the refused writes: %s", r)
		}
	})
}
