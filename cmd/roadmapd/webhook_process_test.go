package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/testdb"
	"github.com/roadmapd/roadmapd/internal/webhook"
)

// hookReceiver records the deliveries it gets: every arrival, by audit ID,
// and the order in which each record's audits first arrived.
type hookReceiver struct {
	mu       sync.Mutex
	arrivals map[int64]int
	order    map[string][]int64
	bad      []string
	// inflight counts the calls being answered; cut counts those whose
	// caller went away before the answer.
	inflight atomic.Int64
	cut      atomic.Int64
	// fast ends the slow answers, once the victim is dead.
	fast atomic.Bool
	// holding makes every call wait until its caller goes away, or for
	// at most holdFor: set once enough deliveries arrived, so that the
	// calls under way when the victim is killed are still under way then.
	holding atomic.Bool
	// held counts the calls being held: with more of them than one
	// process makes at once, some are the victim's.
	held atomic.Int64
	srv  *httptest.Server
}

// holdFor bounds a held call, well under the servers' 1s webhook timeout,
// so that a held call is cut short only by the death of its caller.
const holdFor = 600 * time.Millisecond

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	rc := &hookReceiver{arrivals: map[int64]int{}, order: map[string][]int64{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.inflight.Add(1)
		defer rc.inflight.Add(-1)
		body, _ := io.ReadAll(r.Body)
		// Slow enough that deliveries are in flight when a process dies.
		pause := time.Duration(50+rand.IntN(100)) * time.Millisecond
		switch {
		case rc.fast.Load():
			pause = time.Duration(rand.IntN(5)) * time.Millisecond
		case rc.holding.Load():
			pause = holdFor
			rc.held.Add(1)
			defer rc.held.Add(-1)
		}
		select {
		case <-time.After(pause):
		case <-r.Context().Done():
			rc.cut.Add(1)
		}
		var b struct {
			Event string `json:"event"`
			Audit struct {
				ID            string `json:"id"`
				AuditableType string `json:"auditable_type"`
				AuditableID   int64  `json:"auditable_id"`
				AssociatedID  int64  `json:"associated_id"`
			} `json:"audit"`
		}
		id, err := strconv.ParseInt(r.Header.Get(webhook.DeliveryHeader), 10, 64)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		switch {
		case err != nil || json.Unmarshal(body, &b) != nil || b.Event != "audit" || b.Audit.ID != strconv.FormatInt(id, 10):
			rc.bad = append(rc.bad, fmt.Sprintf("%s: %s", r.Header.Get(webhook.DeliveryHeader), body))
		case r.Header.Get(webhook.SignatureHeader) != webhook.Sign(secret, body):
			rc.bad = append(rc.bad, "bad signature on "+b.Audit.ID)
		default:
			if rc.arrivals[id] == 0 {
				// A record's changes arrive in commit order; a watcher,
				// known by its user, is a record of each release it
				// watches.
				key := fmt.Sprintf("%s:%d", b.Audit.AuditableType, b.Audit.AuditableID)
				if strings.HasSuffix(b.Audit.AuditableType, "_watcher") {
					key += fmt.Sprintf(":%d", b.Audit.AssociatedID)
				}
				rc.order[key] = append(rc.order[key], id)
			}
			rc.arrivals[id]++
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *hookReceiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.arrivals)
}

// TestWebhooksSurviveAKilledProcess runs two servers on one PostgreSQL
// database, sends changes to both, kills one with SIGKILL while deliveries
// are in flight, and checks that every change that committed reaches the
// receiver (duplicates allowed, told apart by X-Roadmapd-Delivery), each
// record's changes first arriving in commit order.
func TestWebhooksSurviveAKilledProcess(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	flags := []string{"--db", dsn, "--webhook-timeout", "1s", "--webhook-poll", "50ms", "--webhook-concurrency", "4"}
	victim := startProcess(t, append(flags, "--demo")...)
	survivor := startProcess(t, flags...)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Each process makes at most 4 calls at once, so with more than 4
	// under way some are the victim's.
	killMidDelivery(t, victim, survivor, nil, 5, raw)
}

// TestWebhooksSurviveAKilledProcessOnSQLite kills the one server of a
// SQLite database while it has calls in flight and starts another on the
// same file, which delivers what the first had claimed.
func TestWebhooksSurviveAKilledProcessOnSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "roadmapd.db")
	flags := []string{"--db", path, "--webhook-timeout", "1s", "--webhook-poll", "50ms", "--webhook-concurrency", "4"}
	victim := startProcess(t, append(flags, "--demo")...)
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	killMidDelivery(t, victim, nil, func() *process { return startProcess(t, flags...) }, 2, raw)
}

// killMidDelivery registers a webhook, sends changes to the servers, kills
// the victim once busy of the receiver's calls are under way (then starts
// the survivor, when restart is given), and checks what reached the
// receiver against the audits committed in raw.
func killMidDelivery(t *testing.T, victim, survivor *process, restart func() *process, busy int64, raw *sql.DB) {
	t.Helper()
	rc := newHookReceiver(t, "shared secret")
	code, body := request(t, "POST", victim.url+"/api/v1/webhooks", demo.Token, `{"webhook":{"url":"`+rc.srv.URL+`/roadmapd","secret":"shared secret"}}`)
	if code != 200 {
		t.Fatalf("registering the webhook: %d %s", code, body)
	}
	var live atomic.Pointer[process]
	live.Store(survivor)

	// A third of the writes rename four releases, so that their changes
	// queue behind each other; the others create releases, so that many
	// records are delivered at once.
	const writes = 240
	var killed atomic.Bool
	var acked atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				base := victim.url
				if p := live.Load(); p != nil && (killed.Load() || i%2 == 1) {
					base = p.url
				}
				req, _ := http.NewRequest("POST", base+"/api/v1/products/PRJ1/releases", strings.NewReader(fmt.Sprintf(`{"release":{"name":"New %d"}}`, i)))
				if i%3 == 0 {
					ref := fmt.Sprintf("PRJ1-R-%d", 1+i%4)
					req, _ = http.NewRequest("PUT", base+"/api/v1/releases/"+ref, strings.NewReader(fmt.Sprintf(`{"release":{"name":"Change %d"}}`, i)))
				}
				req.Header.Set("Authorization", "Bearer "+demo.Token)
				resp, err := client.Do(req)
				if err != nil {
					continue // the victim died under the request
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					acked.Add(1)
				}
			}
		}()
	}
	kill := func() {
		inflight, held := rc.inflight.Load(), rc.held.Load()
		if err := victim.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		victim.cmd.Wait()
		// The victim's calls were held: the receiver sees them end as its
		// connections close.
		for end := time.Now().Add(holdFor); rc.cut.Load() == 0 && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		rc.fast.Store(true)
		t.Logf("killed the victim after %d deliveries arrived, %d calls in flight, %d of them held", rc.count(), inflight, held)
		if restart != nil {
			live.Store(restart())
		}
		killed.Store(true)
	}
	for i := 0; i < writes; i++ {
		if !killed.Load() && rc.count() >= 10 {
			rc.holding.Store(true)
			if rc.held.Load() >= busy {
				kill()
			}
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if !killed.Load() {
		rc.holding.Store(true)
		deadline := time.Now().Add(30 * time.Second)
		for rc.held.Load() < busy && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		kill()
	}
	if acked.Load() < writes/3 {
		t.Fatalf("only %d of %d writes acknowledged", acked.Load(), writes)
	}

	var committed []int64
	rows, err := raw.Query("SELECT id FROM audits ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		committed = append(committed, id)
	}
	rows.Close()
	if len(committed) < int(acked.Load()) {
		t.Fatalf("%d audits for %d acknowledged changes", len(committed), acked.Load())
	}

	// A delivery the victim held comes back when its lease (2 x 1s + 5s)
	// expires.
	deadline := time.Now().Add(60 * time.Second)
	var missing []int64
	for {
		missing = missing[:0]
		rc.mu.Lock()
		for _, id := range committed {
			if rc.arrivals[id] == 0 {
				missing = append(missing, id)
			}
		}
		rc.mu.Unlock()
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(missing) > 0 {
		t.Fatalf("%d of %d committed changes never reached the receiver (first %d)\nsurvivor:\n%s", len(missing), len(committed), missing[0], live.Load().log.String())
	}
	if len(rc.bad) > 0 {
		t.Fatalf("%d malformed or badly signed deliveries; first: %s", len(rc.bad), rc.bad[0])
	}
	if rc.cut.Load() == 0 {
		t.Errorf("no call was cut short by the kill")
	}
	dups := 0
	for _, n := range rc.arrivals {
		dups += n - 1
	}
	for key, ids := range rc.order {
		if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
			t.Errorf("%s: changes first arrived out of commit order: %v", key, ids)
		}
	}
	t.Logf("%d writes acknowledged, %d audits committed, all delivered; %d calls cut short by the kill, %d duplicate arrivals by then", acked.Load(), len(committed), rc.cut.Load(), dups)
}
