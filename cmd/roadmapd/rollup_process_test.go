package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roadmapd/roadmapd/internal/demo"
	"github.com/roadmapd/roadmapd/internal/roadmap"
	"github.com/roadmapd/roadmapd/internal/testdb"
)

// rollUpRounds is how many rounds of concurrent writes the roll-up
// freshness tests send.
const rollUpRounds = 60

// callJSON sends an authenticated request and returns the status and body;
// it is safe to call from any goroutine.
func callJSON(client *http.Client, method, url, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+demo.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// mustCall sends a request from the test goroutine and returns the decoded
// record under key.
func mustCall(t *testing.T, client *http.Client, method, url, body, key string) map[string]any {
	t.Helper()
	code, data, err := callJSON(client, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	want := http.StatusOK
	if method == "POST" && strings.HasSuffix(url, "/features") {
		want = http.StatusCreated // as Aha! answers a feature's create
	}
	if code != want {
		t.Fatalf("%s %s: %d (want %d) %s", method, url, code, want, data)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	rec, _ := doc[key].(map[string]any)
	if rec == nil {
		t.Fatalf("%s %s: no %q in %s", method, url, key, data)
	}
	return rec
}

// rollUpPlan is the account a roll-up freshness test writes to: a top
// roll-up T, two roll-ups M1 and M2 (M1 always under T, M2 moving between T
// and nowhere), four releases moving between M1 and M2 whose dates follow
// their features, one release with dates of its own, and two features per
// computed release.
type rollUpPlan struct {
	top, m1, m2 string   // roll-up reference numbers
	releases    []string // the computed releases
	manual      string   // the release with its own dates
	features    []string
	rollUpIDs   []string
	releaseIDs  []string
}

func setUpRollUps(t *testing.T, client *http.Client, base string) rollUpPlan {
	t.Helper()
	var p rollUpPlan
	rollUp := func(name, parent string) string {
		body := `{"roll_up_release":{"name":"` + name + `","progress_source":"progress_from_features","duration_source":"duration_from_sub_releases"` + parent + `}}`
		rec := mustCall(t, client, "POST", base+"/api/v1/products/PRJ1/roll_up_releases", body, "roll_up_release")
		p.rollUpIDs = append(p.rollUpIDs, fmt.Sprint(rec["id"]))
		return rec["reference_num"].(string)
	}
	p.top = rollUp("Top", "")
	p.m1 = rollUp("M1", `,"parent_id":"`+p.top+`"`)
	p.m2 = rollUp("M2", `,"parent_id":"`+p.top+`"`)
	for i := 0; i < 4; i++ {
		parent := p.m1
		if i%2 == 1 {
			parent = p.m2
		}
		rec := mustCall(t, client, "POST", base+"/api/v1/products/PRJ1/releases",
			fmt.Sprintf(`{"release":{"name":"Sub %d","progress_source":"progress_from_features","duration_source":"duration_from_release_phases_features","parent_id":"%s"}}`, i, parent), "release")
		ref := rec["reference_num"].(string)
		p.releases = append(p.releases, ref)
		p.releaseIDs = append(p.releaseIDs, fmt.Sprint(rec["id"]))
		for j := 0; j < 2; j++ {
			f := mustCall(t, client, "POST", base+"/api/v1/releases/"+ref+"/features",
				fmt.Sprintf(`{"feature":{"name":"Work %d.%d","progress_source":"progress_manual","progress":%d,"start_date":"2030-0%d-01","due_date":"2030-0%d-15"}}`, i, j, 10*(i+j), 1+i, 2+i), "feature")
			p.features = append(p.features, f["reference_num"].(string))
		}
	}
	rec := mustCall(t, client, "POST", base+"/api/v1/products/PRJ1/releases",
		`{"release":{"name":"Own dates","start_date":"2030-03-01","release_date":"2030-04-01","parent_id":"`+p.m2+`"}}`, "release")
	p.manual = rec["reference_num"].(string)
	p.releaseIDs = append(p.releaseIDs, fmt.Sprint(rec["id"]))
	return p
}

// runRollUpRounds sends, in each round and at the same instant, spread over
// the servers: a move of a release between M1 and M2, the progress of a
// feature of that release, a change of M2's parent, a feature's dates and
// the manual release's date; then checks every roll-up and computed release against a fresh
// recompute from the database. Every request must succeed.
func runRollUpRounds(t *testing.T, servers []string, raw *sql.DB, backend string, rounds int) {
	client := &http.Client{Timeout: 60 * time.Second}
	p := setUpRollUps(t, client, servers[0])
	rng := rand.New(rand.NewSource(1))
	stale := 0
	for round := 0; round < rounds; round++ {
		type req struct{ method, path, body string }
		k := rng.Intn(len(p.releases))
		rel := p.releases[k]
		to := p.m1
		if rng.Intn(2) == 0 {
			to = p.m2
		}
		m2Parent := p.top
		if rng.Intn(2) == 0 {
			m2Parent = ""
		}
		day := 1 + rng.Intn(27)
		reqs := []req{
			{"PUT", "/api/v1/releases/" + rel, `{"release":{"parent_id":"` + to + `"}}`},
			{"PUT", "/api/v1/features/" + p.features[2*k+rng.Intn(2)], fmt.Sprintf(`{"feature":{"progress":%d}}`, rng.Intn(101))},
			{"PUT", "/api/v1/features/" + p.features[rng.Intn(len(p.features))], fmt.Sprintf(`{"feature":{"start_date":"2029-%02d-%02d","due_date":"2031-%02d-%02d"}}`, 1+rng.Intn(12), day, 1+rng.Intn(12), day)},
			{"PUT", "/api/v1/releases/" + p.manual, fmt.Sprintf(`{"release":{"release_date":"2032-%02d-%02d"}}`, 1+rng.Intn(12), day)},
			{"PUT", "/api/v1/roll_up_releases/" + p.m2, `{"roll_up_release":{"parent_id":"` + m2Parent + `"}}`},
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]string, len(reqs))
		for i, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				code, data, err := callJSON(client, r.method, servers[i%len(servers)]+r.path, r.body)
				if err != nil || code != 200 {
					errs[i] = fmt.Sprintf("%s %s: %d %v %s", r.method, r.path, code, err, data)
				}
			}()
		}
		close(start)
		wg.Wait()
		for _, e := range errs {
			if e != "" {
				t.Errorf("round %d: %s", round, e)
			}
		}
		if problems := checkRollUps(t, raw, backend, p); len(problems) > 0 {
			stale++
			if stale <= 3 {
				t.Errorf("round %d: %s", round, strings.Join(problems, "; "))
			}
		}
	}
	if stale > 0 {
		t.Errorf("computed values stale after %d of %d rounds", stale, rounds)
	}
}

// checkRollUps reads, in one snapshot, each computed release's and each
// roll-up's stored progress and dates, and recomputes them from their
// features and sub-releases in the same snapshot.
func checkRollUps(t *testing.T, raw *sql.DB, backend string, p rollUpPlan) []string {
	t.Helper()
	ctx := context.Background()
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	if backend == "sqlite" {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	tx, err := raw.BeginTx(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	q := func(s string) string {
		if backend != "postgres" {
			return s
		}
		n := 0
		var b strings.Builder
		for _, c := range s {
			if c == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	features := func(where string, args ...any) []roadmap.WorkItem {
		rows, err := tx.QueryContext(ctx, q(`SELECT f.progress, s.complete, f.start_date, f.due_date FROM features f
 JOIN workflow_statuses s ON s.id = f.workflow_status_id WHERE `+where), args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []roadmap.WorkItem
		for rows.Next() {
			var progress sql.NullInt64
			var start, end sql.NullString
			var it roadmap.WorkItem
			if err := rows.Scan(&progress, &it.Complete, &start, &end); err != nil {
				t.Fatal(err)
			}
			if progress.Valid {
				v := int(progress.Int64)
				it.Progress = &v
			}
			it.Start, it.End = start.String, end.String
			out = append(out, it)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	stored := func(id string) (progress int, start, end string) {
		var s, e sql.NullString
		if err := tx.QueryRowContext(ctx, q("SELECT progress, start_date, release_date FROM releases WHERE id = ?"), id).Scan(&progress, &s, &e); err != nil {
			t.Fatal(err)
		}
		return progress, s.String, e.String
	}
	var problems []string
	for _, id := range p.releaseIDs[:len(p.releases)] {
		progress, start, end := stored(id)
		items := features("f.release_id = ?", id)
		want, _ := roadmap.ComputedProgress(roadmap.ProgressFromFeatures, roadmap.Work{Features: items})
		if progress != want {
			problems = append(problems, fmt.Sprintf("release %s: progress %d, its features give %d", id, progress, want))
		}
		if s, e, ok := roadmap.Span(items); ok && (s != start || e != end) {
			problems = append(problems, fmt.Sprintf("release %s: dates %s..%s, its features span %s..%s", id, start, end, s, e))
		}
	}
	for _, id := range p.rollUpIDs {
		progress, start, end := stored(id)
		items := features("(f.release_id = ? OR f.release_id IN (SELECT id FROM releases WHERE parent_id = ?))", id, id)
		want, _ := roadmap.ComputedProgress(roadmap.ProgressFromFeatures, roadmap.Work{Features: items})
		if progress != want {
			problems = append(problems, fmt.Sprintf("roll-up %s: progress %d, the features of its sub-releases give %d", id, progress, want))
		}
		var s, e sql.NullString
		if err := tx.QueryRowContext(ctx, q("SELECT MIN(COALESCE(start_date, release_date)), MAX(release_date) FROM releases WHERE parent_id = ? AND parking_lot = ?"), id, false).Scan(&s, &e); err != nil {
			t.Fatal(err)
		}
		if s.Valid && e.Valid && (s.String != start || e.String != end) {
			problems = append(problems, fmt.Sprintf("roll-up %s: dates %s..%s, its sub-releases span %s..%s", id, start, end, s.String, e.String))
		}
	}
	return problems
}

// TestRollUpsStayFreshAcrossTwoProcesses runs the roll-up rounds over two
// processes sharing one PostgreSQL database.
func TestRollUpsStayFreshAcrossTwoProcesses(t *testing.T) {
	t.Parallel()
	dsn := testdb.PostgresURL(t)
	first := startProcess(t, "--db", dsn, "--demo")
	second := startProcess(t, "--db", dsn)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	began := time.Now()
	runRollUpRounds(t, []string{first.url, second.url}, raw, "postgres", rollUpRounds)
	t.Logf("%d rounds in %v", rollUpRounds, time.Since(began))
	if t.Failed() {
		t.Logf("first process:\n%s\nsecond process:\n%s", first.log.String(), second.log.String())
	}
}

// TestRollUpsStayFreshOnSQLite runs the roll-up rounds against one process
// on SQLite, its requests concurrent.
func TestRollUpsStayFreshOnSQLite(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/roadmapd.db"
	p := startProcess(t, "--db", path, "--demo")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	runRollUpRounds(t, []string{p.url}, raw, "sqlite", rollUpRounds)
}
