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
