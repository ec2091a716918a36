package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"decisiond/store"
)

// TestRequestID: a sane client id is kept, anything else replaced; the id
// reaches the handler's context, the response header and, once, every
// log line written with that context (even through a wrapped handler).
func TestRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(LogHandler(slog.NewJSONHandler(&buf, nil))))
	h := WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "inside")
	}))
	for in, keep := range map[string]bool{"abc-123_x.y:z": true, "": false, "a b": false, "<x>": false, strings.Repeat("a", 129): false, "日志": false} {
		buf.Reset()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set(RequestIDHeader, in)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get(RequestIDHeader)
		if (got == in) != keep || got == "" {
			t.Errorf("X-Request-ID %q → %q", in, got)
		}
		if n := strings.Count(buf.String(), `"request_id"`); n != 1 {
			t.Errorf("request_id appears %d times in %s", n, buf.String())
		}
		var rec2 map[string]any
		_ = json.Unmarshal(buf.Bytes(), &rec2)
		if rec2["request_id"] != got {
			t.Errorf("logged id %v, header %q", rec2["request_id"], got)
		}
	}
	if RequestIDOf(context.Background()) != "" {
		t.Error("no request, no id")
	}
}

// TestStatusOf_Storage: a full or read-only disk is 503, not an internal error.
func TestStatusOf_Storage(t *testing.T) {
	for _, c := range []string{store.CodeStorageFull, store.CodeStorageReadOnly} {
		if StatusOf(c) != http.StatusServiceUnavailable {
			t.Errorf("%s → %d", c, StatusOf(c))
		}
	}
}
