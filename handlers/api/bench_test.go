package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// BenchmarkHTTPEvent measures acts per second through the whole HTTP path —
// authenticate, decode, store.Apply (one transaction, audit link included),
// respond — on SQLite with the clock pinned: repeated revise_draft on one
// decision in drafting, each act sent with the version the previous one
// returned.
//
//	go test -run='^$' -bench=. -benchtime=2s ./store ./handlers/api
func BenchmarkHTTPEvent(b *testing.B) {
	e := newEnv(b, func(tb testing.TB) (*store.DB, string) { return storetest.OpenSQLite(tb, "qinghai") })
	d := e.RunSteps(b, e.CreateFare(b).Decision, stepsBefore(b, workflow.EvStartParticipation))
	if d.State != string(workflow.StDrafting) {
		b.Fatalf("setup: want drafting, got %s", d.State)
	}
	url := e.Srv.URL + eventsPath(d.ID)
	token := "Bearer " + tokenOf(b, "drafter")
	data := map[string]any{"text": "西宁市城市公共交通票价调整方案（修改稿）……", "note": "基准测试"}
	version := d.Version
	b.ResetTimer()
	for range b.N {
		body, _ := json.Marshal(eventBody(workflow.EvReviseDraft, version, data))
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/json")
		res, err := e.HTTP.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("act at version %d: HTTP %d %s %v", version, res.StatusCode, out, err)
		}
		var act actJSON
		if err := json.Unmarshal(out, &act); err != nil {
			b.Fatal(err)
		}
		if act.Decision.Version != version+1 {
			b.Fatalf("version %d after %d", act.Decision.Version, version)
		}
		version = act.Decision.Version
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acts/s")
}
