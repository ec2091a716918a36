package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/seeds"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// stringPaths lists the paths of every string leaf of a JSON-like value
// (keys in order, array indexes).
func stringPaths(v any, prefix []any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case string:
		out = append(out, append([]any{}, prefix...))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, stringPaths(x[k], append(prefix, k))...)
		}
	case []any:
		for i, c := range x {
			out = append(out, stringPaths(c, append(prefix, i))...)
		}
	}
	return out
}

// withNUL returns a deep copy of v with the string at path given a NUL.
func withNUL(v any, path []any) any {
	var b []byte
	b, _ = json.Marshal(v)
	var c any
	_ = json.Unmarshal(b, &c)
	cur := c
	for i, p := range path {
		last := i == len(path)-1
		switch k := p.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				m[k] = m[k].(string) + "\x00注入"
			} else {
				cur = m[k]
			}
		case int:
			a := cur.([]any)
			if last {
				a[k] = a[k].(string) + "\x00注入"
			} else {
				cur = a[k]
			}
		}
	}
	return c
}

// goTypeNames are fragments of Go's own error texts that must never reach a
// client (no internals leak).
var goTypeNames = []string{"Go value", "Go struct", "json:", "strconv.", "map[string]", "interface {}", "*workflow", "*store", "sql:", "pq:", "SQLSTATE"}

func noGoInternals(t *testing.T, r response) {
	t.Helper()
	for _, s := range goTypeNames {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("the answer shows an internal (%q): %s", s, r)
		}
	}
}

// TestHostileInput_NULInEveryStringField walks the fare decision from
// proposal to execution; before each act it sends the same act once for
// every string field of its data with a NUL byte in it (escaped as \u0000
// in the JSON): each is a 400 naming the field on both databases, writes
// nothing, and the real act then succeeds. PostgreSQL cannot store NUL in
// text; nothing may reach it.
func TestHostileInput_NULInEveryStringField(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			body := map[string]any{"title": seeds.FareTitle, "organ_id": e.Fx.Units[seeds.DemoOrgan]}
			for k, v := range seeds.FareFlags {
				body[k] = v
			}
			var generic any = seeds.Data(body)
			for _, p := range stringPaths(generic, nil) {
				r := e.Do(t, "POST", "/api/v1/decisions", tokenOf(t, "office"), withNUL(generic, p))
				problem(t, r, http.StatusBadRequest, workflow.CodeValidationFailed)
				noGoInternals(t, r)
			}
			d := e.CreateFare(t).Decision
			total, tried := e.AuditTotal(t), 0
			for _, st := range seeds.FareSteps {
				var data any = seeds.Data(st.Payload(&e.Fx.Env))
				for _, p := range stringPaths(data, nil) {
					r := e.Fire(t, st.Who, d.ID, st.Event, d.Version, withNUL(data, p))
					pr := problem(t, r, http.StatusBadRequest, workflow.CodeValidationFailed)
					if len(pr.Errors) == 0 {
						t.Errorf("%s %v: the refusal names no field", st.Event, p)
					}
					noGoInternals(t, r)
					tried++
				}
				// A NUL in a key, too.
				m, _ := data.(map[string]any)
				bad := map[string]any{}
				for k, v := range m {
					bad[k] = v
				}
				bad["备注\x00"] = "x"
				problem(t, e.Fire(t, st.Who, d.ID, st.Event, d.Version, bad), http.StatusBadRequest, workflow.CodeValidationFailed)
				d = e.MustFire(t, st.Who, d, st.Event, data)
			}
			if tried < 30 {
				t.Fatalf("only %d string fields tried", tried)
			}
			if got := e.AuditTotal(t); got != total+len(seeds.FareSteps) {
				t.Errorf("refused acts wrote audit events: %d, want %d", got-total, len(seeds.FareSteps))
			}
			e.Verify(t)
		})
	}
}

// TestHostileInput_QueryPathAndBody: NUL bytes and invalid UTF-8 in every
// query parameter of every GET route, in the path and in bodies; absurd
// page numbers; duplicate keys — all 400 with a code on both databases,
// never a 500, and no Go internals in the answer.
func TestHostileInput_QueryPathAndBody(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			d := e.CreateFare(t).Decision
			office := tokenOf(t, "office")
			params := []string{"q", "state", "unit", "page", "per_page", "decision", "actor", "since", "until", "overdue", "format", "from", "n", "user"}
			routes := handlers.Routes(handlers.Deps{DB: e.DB})
			tried := 0
			for _, rt := range routes {
				if rt.Method != "GET" || !strings.HasPrefix(rt.Path, "/api/") {
					continue
				}
				path := strings.ReplaceAll(rt.Path, ":id", fmt.Sprint(d.ID))
				for _, p := range params {
					for _, v := range []string{"%00", "a%00b", "%FF%FE", "%C0%AF"} {
						r := e.Do(t, "GET", path+"?"+p+"="+v, office, nil)
						problem(t, r, http.StatusBadRequest, workflow.CodeValidationFailed)
						noGoInternals(t, r)
						tried++
					}
				}
			}
			if tried < 200 {
				t.Fatalf("only %d query cases", tried)
			}
			ev := eventsPath(d.ID)
			V := workflow.CodeValidationFailed
			cases := []struct {
				name, method, path string
				body               any
				status             int
			}{
				{"page at int64 max", "GET", "/api/v1/decisions?page=9223372036854775807", nil, 400},
				{"page beyond int64", "GET", "/api/v1/decisions?page=92233720368547758070", nil, 400},
				{"audit page at int64 max", "GET", "/api/v1/audit?page=9223372036854775807&per_page=200", nil, 400},
				{"per_page at int64 max", "GET", "/api/v1/decisions?per_page=9223372036854775807", nil, 400},
				{"per_page over 200", "GET", "/api/v1/decisions?per_page=201", nil, 400},
				{"page exponent", "GET", "/api/v1/decisions?page=1e3", nil, 400},
				{"NUL in path", "GET", "/api/v1/decisions/1%00", nil, 400},
				{"invalid UTF-8 in path", "GET", "/api/v1/decisions/%FF", nil, 400},
				{"NUL in a query key", "GET", "/api/v1/decisions?q%00=x", nil, 400},
				{"invalid UTF-8 body", "POST", ev, rawBody("{\"event\":\"revise_draft\",\"expected_version\":2,\"data\":{\"text\":\"\xff\xfe\"}}"), 400},
				{"raw NUL in body", "POST", ev, rawBody("{\"event\":\"revise_draft\",\"expected_version\":2,\"data\":{\"text\":\"a\x00b\"}}"), 400},
				{"escaped NUL in event", "POST", ev, rawBody(`{"event":"revise_draft\u0000","expected_version":2,"data":{}}`), 400},
				{"duplicate top-level key", "POST", ev, rawBody(`{"event":"launch","event":"decline","expected_version":1,"data":{"reason":"x"}}`), 400},
				{"duplicate data key", "POST", ev, rawBody(`{"event":"decline","expected_version":1,"data":{"reason":"x","reason":"y"}}`), 400},
				{"duplicate nested key", "POST", ev, rawBody(`{"event":"decline","expected_version":1,"data":{"reason":"x","n":{"a":1,"a":2}}}`), 400},
				{"duplicate key on create", "POST", "/api/v1/decisions", rawBody(`{"title":"x","title":"y","organ_id":1,"category":"other_major"}`), 400},
				{"duplicate key on admin body", "PUT", "/api/v1/rules/active", rawBody(`{"code":"qinghai","code":"national","reason":"x"}`), 400},
				{"NUL in admin body", "PUT", "/api/v1/rules/active", rawBody(`{"code":"qinghai\u0000","reason":"x"}`), 400},
				{"huge number", "POST", ev, rawBody(`{"event":"decline","expected_version":1e400,"data":{}}`), 400},
				{"deep nesting", "POST", ev, rawBody(`{"event":"decline","expected_version":1,"data":{"a":` + strings.Repeat(`[`, 64) + strings.Repeat(`]`, 64) + `}}`), 400},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					tok := office
					if c.path == "/api/v1/rules/active" {
						tok = tokenOf(t, "sysadmin")
					}
					r := e.Do(t, c.method, c.path, tok, c.body)
					problem(t, r, c.status, V)
					noGoInternals(t, r)
				})
			}
			now, _ := e.GetDecision(t, "office", d.ID)
			if now.Version != d.Version {
				t.Errorf("hostile input changed the decision: v%d → v%d", d.Version, now.Version)
			}
			e.Verify(t)
		})
	}
}
