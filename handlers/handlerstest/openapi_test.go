package handlerstest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"decisiond/handlers/api"
)

// The description is valid by the library's own validator
// ((*openapi3.T).Validate, in LoadSpec), and it is OpenAPI 3.1.
func TestOpenAPIDescriptionIsValid(t *testing.T) {
	s, err := LoadSpec(api.Description())
	if err != nil {
		t.Fatal(err)
	}
	if !s.Doc.IsOpenAPI31OrLater() || s.Doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", s.Doc.OpenAPI)
	}
	if n := s.Doc.Paths.Len(); n < 40 {
		t.Errorf("only %d paths", n)
	}
}

// The conformance check refuses what drifts: an answer of another shape,
// status, type or code than described; a request the description refuses
// that the server accepted; and it lets a refused bad request through.
func TestConformanceCatchesDrift(t *testing.T) {
	s, err := LoadSpec(api.Description())
	if err != nil {
		t.Fatal(err)
	}
	problem := func(status int, code string) string {
		return `{"type":"urn:decisiond:problem:` + code + `","title":"t","status":` + strconv.Itoa(status) + `,"code":"` + code + `","detail":"中文 / English","request_id":"r1"}`
	}
	const launchMissingData = `{"event":"launch","expected_version":1,"data":{"launch_ref":"纪要"}}`
	const launchOK = `{"event":"launch","expected_version":1,"data":{"undertaking_unit_id":3,"launch_ref":"纪要"}}`
	cases := []struct {
		name, method, path, token, reqBody string
		status                             int
		ctype, body                        string
		wantErr                            string // "" must conform
	}{
		{"a refusal as described", "GET", "/api/v1/decisions/7", "t", "", 404, "application/problem+json", problem(404, "not_found"), ""},
		{"the description itself, anonymous", "GET", "/api/v1/openapi.json", "", "", 200, "application/json", `{"openapi":"3.1.0","paths":{}}`, ""},
		{"an answer missing required members", "GET", "/api/v1/me", "t", "", 200, "application/json", `{"id":1}`, "does not match"},
		{"an undescribed status", "GET", "/api/v1/me", "t", "", 418, "application/problem+json", problem(418, "forbidden"), "status"},
		{"an undescribed type", "GET", "/api/v1/me", "t", "", 200, "text/html", `<p>`, "Content-Type"},
		{"a code of another status", "POST", "/api/v1/decisions/1/events", "t", launchOK, 422, "application/problem+json", problem(422, "validation_failed"), "does not match"},
		{"a code nobody knows", "GET", "/api/v1/decisions/7", "t", "", 404, "application/problem+json", problem(404, "no_such_code"), "does not match"},
		{"a refusal that is not problem+json", "GET", "/api/v1/decisions/7", "t", "", 404, "application/json", problem(404, "not_found"), "problem+json"},
		{"event data missing a required field, accepted", "POST", "/api/v1/decisions/1/events", "t", launchMissingData, 200, "application/json", `{}`, "refuses the request"},
		{"event data missing a required field, refused", "POST", "/api/v1/decisions/1/events", "t", launchMissingData, 400, "application/problem+json", problem(400, "validation_failed"), ""},
		{"an unknown event, accepted", "POST", "/api/v1/decisions/1/events", "t", `{"event":"fly","expected_version":1}`, 200, "application/json", `{}`, "refuses the request"},
		{"no token, accepted", "GET", "/api/v1/me", "", "", 200, "application/json", `{}`, "refuses the request"},
		{"no token, refused", "GET", "/api/v1/me", "", "", 401, "application/problem+json", problem(401, "unauthenticated"), ""},
		{"a bad path parameter, accepted", "GET", "/api/v1/decisions/abc", "t", "", 200, "application/json", `{}`, "refuses the request"},
		{"no such route, answered", "GET", "/api/v1/nothing", "t", "", 200, "application/json", `{}`, "no operation"},
		{"no such route, refused", "GET", "/api/v1/nothing", "t", "", 404, "application/problem+json", problem(404, "not_found"), ""},
		{"no such method, refused", "DELETE", "/api/v1/me", "t", "", 405, "application/problem+json", problem(405, "method_not_allowed"), ""},
		{"a CSV export", "GET", "/api/v1/statistics?format=csv", "t", "", 200, "text/csv; charset=utf-8", "\ufeffa,b\n", ""},
		{"a download of an undescribed type", "GET", "/api/v1/decisions/1/documents/" + strings.Repeat("a", 64), "t", "", 200, "application/x-msdownload", "MZ", "Content-Type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, "http://127.0.0.1"+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			if c.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			h := http.Header{"Content-Type": {c.ctype}, "X-Request-Id": {"r1"}, "Content-Disposition": {"attachment"}, "X-Content-Hash": {"sha256:x"}}
			if c.status == 401 {
				h.Set("WWW-Authenticate", `Bearer realm="decisiond"`)
			}
			err = s.Check(req, []byte(c.reqBody), c.status, h, []byte(c.body))
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("want it to conform, got %v", err)
			case c.wantErr != "" && err == nil:
				t.Errorf("want a non-conformance (%s), got none", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("want an error about %q, got %v", c.wantErr, err)
			}
		})
	}
}
