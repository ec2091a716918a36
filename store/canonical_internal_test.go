package store

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// canonicalMap is how events were hashed before the struct: a map, whose
// keys json.Marshal sorts. The struct must give the very same bytes, or
// every existing chain would stop verifying.
func canonicalMap(e *AuditEvent) []byte {
	data := json.RawMessage(e.Data)
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	m := map[string]any{
		"seq": e.Seq, "at": e.At, "decision_id": e.DecisionID, "actor_id": e.ActorID, "actor": e.ActorName,
		"role": e.Role, "event": e.Event, "from": e.From, "to": e.To, "version": e.Version,
		"data": data, "alg": e.Alg, "prev_hash": e.PrevHash,
	}
	if e.OrganID != nil {
		m["organ_id"] = *e.OrganID
	}
	b, _ := json.Marshal(m)
	return b
}

func TestCanonicalEventBytesUnchanged(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		str := rapid.StringMatching(`[\x{0}-\x{7f}<>&"\\a-z中文审计\x{2028}]{0,12}`)
		e := &AuditEvent{Seq: rapid.Int64().Draw(t, "seq"), At: str.Draw(t, "at"), ActorID: rapid.Int64().Draw(t, "actor_id"),
			ActorName: str.Draw(t, "actor"), Role: str.Draw(t, "role"), Event: str.Draw(t, "event"), From: str.Draw(t, "from"),
			To: str.Draw(t, "to"), Version: rapid.Int64().Draw(t, "version"), Alg: str.Draw(t, "alg"), PrevHash: str.Draw(t, "prev")}
		if rapid.Bool().Draw(t, "has decision") {
			d := rapid.Int64().Draw(t, "decision")
			e.DecisionID = &d
		}
		if rapid.Bool().Draw(t, "has organ") {
			o := rapid.Int64().Draw(t, "organ")
			e.OrganID = &o
		}
		d, _ := json.Marshal(map[string]any{"k": str.Draw(t, "data"), "n": rapid.Int().Draw(t, "n")})
		e.Data = d
		if rapid.Bool().Draw(t, "loose data") { // not compact, HTML unescaped: the slow path
			e.Data = []byte(rapid.SampledFrom([]string{`{ "a" : "<b>&" }`, "{\n\t\"x\": [1, 2]}", `{"s":" "}`, ``, `{}`}).Draw(t, "raw"))
		}
		got, err := e.canonical()
		if err != nil {
			t.Fatal(err)
		}
		if want := canonicalMap(e); !bytes.Equal(got, want) {
			t.Fatalf("canonical bytes changed:\n%s\n%s", got, want)
		}
	})
}

// TestRecordContentBytes: a stage record's content hash, written by hand
// for verify's speed, is the one contentOf gives (which every existing
// event bound).
func TestRecordContentBytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		str := rapid.StringMatching(`[\x{0}-\x{7f}<>&"\\a-z中文审计\x{2028}\x{fffd}]{0,16}`)
		r := &recordContent{DecisionID: rapid.Int64().Draw(t, "decision"), Event: str.Draw(t, "event"), From: str.Draw(t, "from"),
			To: str.Draw(t, "to"), ActorID: rapid.Int64().Draw(t, "actor"), Data: str.Draw(t, "data"), DraftHash: str.Draw(t, "draft"),
			At: str.Draw(t, "at")}
		if rapid.Bool().Draw(t, "bad utf-8") {
			r.Data += "\xff\xfe"
		}
		want := contentOf("records", map[string]any{"decision_id": r.DecisionID, "event": r.Event, "from_state": r.From, "to_state": r.To,
			"actor_id": r.ActorID, "data": r.Data, "draft_hash": r.DraftHash, "at": r.At})
		if got := r.hash(); got != want {
			t.Fatalf("record content hash changed: %s, was %s", got, want)
		}
	})
}

// appendRawJSONReference is the event data's canonical form as it was
// first written: compacted and HTML-escaped unless no character of the set
// occurs. Every stored chain was hashed with it; the fast test must give
// the same bytes for any input, valid JSON or not.
func appendRawJSONReference(b, data []byte) []byte {
	if !bytes.ContainsAny(data, "<>&\u2028\u2029 \t\n\r") {
		return append(b, data...)
	}
	var c bytes.Buffer
	if err := json.Compact(&c, data); err != nil {
		return append(b, data...)
	}
	var h bytes.Buffer
	json.HTMLEscape(&h, c.Bytes())
	return append(b, h.Bytes()...)
}

func TestAppendRawJSONMatchesTheReference(t *testing.T) {
	for _, in := range []string{`{}`, `{"a":"b c"}`, `{"a": "b"}`, `{"a":"<b>"}`, `{"a":"\u2028"}`, "{\"a\":\"\u2028\"}", "{\"a\":\"\u2029x\"}",
		`{"a":"x\" y"}`, `{"a":"x\\"}`, `{"a":"x\\" , "b":1}`, `{"a":[1, 2]}`, "{\"k\":\"意见 征求\"}", `{"a":"&"}`, `not json <`, `"unterminated `,
		"{\"a\":\"\xe2\x80\"}", `{"a":"\t"}`, "{\"a\":\"\t\"}", "\n{}"} {
		if got, want := appendRawJSON(nil, []byte(in)), appendRawJSONReference(nil, []byte(in)); !bytes.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		// Strings over the characters that matter, in and out of quotes.
		alphabet := []string{`"`, `\`, ` `, "\t", "\n", "<", ">", "&", "\u2028", "\u2029", "\xe2", "\x80", "a", "意", "{", "}", ":", ",", "[", "]", "1"}
		parts := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 24).Draw(t, "parts")
		var in []byte
		for _, p := range parts {
			in = append(in, p...)
		}
		if got, want := appendRawJSON(nil, in), appendRawJSONReference(nil, in); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", in, got, want)
		}
		// And valid JSON of such strings.
		v := map[string]any{"s": string(in), "n": len(in), "l": []any{string(in), true}}
		valid, _ := json.Marshal(v)
		if got, want := appendRawJSON(nil, valid), appendRawJSONReference(nil, valid); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", valid, got, want)
		}
	})
}
