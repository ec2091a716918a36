package httpx

import (
	"encoding/json"
	"strings"
	"testing"

	"decisiond/workflow"
)

// FuzzDecodeEventRequest: whatever the body, DecodeEventRequest never
// panics; it either returns a request with a non-blank event and an
// expected_version ≥ 1 (and data that is absent, null or an object), or a
// validation_failed *workflow.Error naming at least one field.
//
//	go test -run='^$' -fuzz=FuzzDecodeEventRequest -fuzztime=10s ./handlers/httpx
func FuzzDecodeEventRequest(f *testing.F) {
	for _, s := range []string{
		// valid
		`{"event":"launch","expected_version":1,"data":{"undertaking_unit_id":3,"launch_ref":"市政府第12次常务会议纪要"}}`,
		`{"event":"revise_draft","expected_version":2,"data":{"text":"……草案全文……","note":"初稿"}}`,
		`{"event":"start_execution","expected_version":12}`,
		`{"event":"start_execution","expected_version":12,"data":null}`,
		`  {"data":{"a":[1,{"b":[true,null]}]},"expected_version":9007199254740993,"event":"x"}  `,
		`{"event":"submit_to_meeting","expected_version":9,"data":{"meeting_type":"executive","planned_on":"2026-11-20"}}`,
		// invalid
		``, ` `, `null`, `[]`, `"event"`, `123`, `{`, `{}`, `{}{}`, `{} x`,
		`{"event":"","expected_version":1}`,
		`{"event":"launch"}`,
		`{"event":"launch","expected_version":"1"}`,
		`{"event":"launch","expected_version":0}`,
		`{"event":"launch","expected_version":-1}`,
		`{"event":"launch","expected_version":1.5}`,
		`{"event":"launch","expected_version":1e3}`,
		`{"event":"launch","expected_version":99999999999999999999}`,
		`{"event":7,"expected_version":1}`,
		`{"event":"launch","expected_version":1,"data":[]}`,
		`{"event":"launch","expected_version":1,"data":"x"}`,
		`{"event":"launch","expected_version":1,"data":{"a":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}}`,
		`{"event":"launch","expected_version":1,"actor":"冒名者"}`,
		`{"":{}}`,
		`{"event":"launch","expected_version":1,"event":null}`,
		"{\"event\":\"\xff\xfe\",\"expected_version\":1}",
		`{"event":"launch","expected_version":1,"data":{"text":"\ud800"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeEventRequest(body)
		if err != nil {
			e, ok := err.(*workflow.Error)
			if !ok {
				t.Fatalf("error is %T, want *workflow.Error: %v", err, err)
			}
			if e.Code != workflow.CodeValidationFailed {
				t.Fatalf("code %q, want %s: %v", e.Code, workflow.CodeValidationFailed, e)
			}
			if len(e.Fields) == 0 {
				t.Fatalf("a validation error must name a field: %v", e)
			}
			for _, fe := range e.Fields {
				// fe.Field may be "" only for a top-level key that is itself "" ({"":1}).
				if fe.ZH == "" || fe.EN == "" {
					t.Fatalf("field error needs both messages: %+v", fe)
				}
			}
			if req != nil {
				t.Fatalf("an error with a request: %+v", req)
			}
			return
		}
		if req == nil {
			t.Fatal("no error and no request")
		}
		if strings.TrimSpace(req.Event) == "" {
			t.Fatalf("accepted a blank event: %q", body)
		}
		if req.ExpectedVersion < 1 {
			t.Fatalf("accepted expected_version %d: %q", req.ExpectedVersion, body)
		}
		if !json.Valid(body) {
			t.Fatalf("accepted a body that is not JSON: %q", body)
		}
		if req.Data == nil {
			t.Fatalf("accepted a request without a data map: %q", body)
		}
	})
}
