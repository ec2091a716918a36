package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/store"
	"decisiond/store/storetest"
)

// TestVerify_OutlastsTheWriteTimeout: a verification of millions of
// events takes longer than the server's write timeout (serve: one minute;
// 2,000,000 events took 40–70 s on a 2-core machine), and an answer written
// after it never reaches the auditor — the connection just closes. The
// verify handler moves its own write deadline. Here the server's write
// timeout is a millisecond, shorter than any verification (without the
// handler's deadline the client gets EOF).
func TestVerify_OutlastsTheWriteTimeout(t *testing.T) {
	db, _ := storetest.Backends(t)[0].Open(t)
	storetest.Base(t, db)
	srv := httptest.NewUnstartedServer(handlers.New(handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true}}))
	srv.Config.WriteTimeout = time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/audit/verify", nil)
	req.Header.Set("Authorization", "Bearer "+tokenOf(t, "auditor"))
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("the verification's answer did not arrive: %v", err)
	}
	defer res.Body.Close()
	var v struct {
		OK     bool  `json:"ok"`
		Events int64 `json:"events"`
	}
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode != http.StatusOK || !v.OK || v.Events == 0 {
		t.Fatalf("verify: %s %+v %v", res.Status, v, err)
	}
}
