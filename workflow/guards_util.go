package workflow

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// Helpers shared by the guards of every stage.

// currentRound returns the records of the current pass through the
// procedure: those after the last return_for_revision (Art. 30 — a draft
// returned by the meeting runs the stages again), oldest first.
func currentRound(f *Facts) []Record {
	for i := len(f.Records) - 1; i >= 0; i-- {
		if f.Records[i].Event == EvReturnForRevision {
			return f.Records[i+1:]
		}
	}
	return f.Records
}

// lastOf returns the latest record among recs of one of the given events,
// or nil.
func lastOf(recs []Record, events ...string) *Record {
	for i := len(recs) - 1; i >= 0; i-- {
		if contains(events, recs[i].Event) {
			return &recs[i]
		}
	}
	return nil
}

// recordData decodes a record's data; an absent or malformed body reads as
// an empty object. A stored record's data passed DecodeData's checks on its
// way in (and is stored canonical), so it is not scanned for them again:
// only decoded, numbers kept as json.Number as DecodeData keeps them.
func recordData(r *Record) map[string]any {
	if r == nil || len(r.Data) == 0 {
		return map[string]any{}
	}
	dec := json.NewDecoder(bytes.NewReader(r.Data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// notFuture refuses a declared date of something recorded as done that lies
// after today (PROCEDURE.md § Time: 已办事项的日期不能晚于今天). It is a
// validation_failed error on the field.
func notFuture(f *Facts, field string, d time.Time, zhWhat, enWhat string) error {
	if !d.IsZero() && d.After(f.Today()) {
		return dataErr(field,
			zhWhat+"不能晚于今天（"+FormatDate(f.Today())+"）：已经发生的事项不能登记为将来的日期",
			enWhat+" cannot be after today ("+FormatDate(f.Today())+"): an act recorded as done is not dated in the future")
	}
	return nil
}

// normName folds a person's or organisation's name for comparison: trimmed,
// inner runs of spaces collapsed, full-width ASCII folded to half-width and
// case-insensitive. "  某某咨询（北京） " and "某某咨询(北京)" compare equal.
func normName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u3000':
			r = ' '
		case r >= '\uFF01' && r <= '\uFF5E':
			r -= 0xFEE0
		}
		b.WriteRune(r)
	}
	return strings.ToLower(strings.Join(strings.Fields(b.String()), " "))
}

// sameName compares two names folded by normName; blank names never match.
func sameName(a, b string) bool {
	na, nb := normName(a), normName(b)
	return na != "" && na == nb
}

// quoteList joins names as 「甲」「乙」.
func quoteList(names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString("「" + n + "」")
	}
	return b.String()
}

// warn adds a warning to the outcome: the act is allowed, and the warning
// is returned to the client (Outcome.Warnings) and kept in the record's data
// under "warnings" as {code, article, zh, en}. The engine owns that key: a
// "warnings" value sent by the client is replaced.
func warn(o *Outcome, code, article, zh, en string) {
	var list []any
	if len(o.Warnings) > 0 {
		list, _ = o.Data["warnings"].([]any)
	}
	o.Warnings = append(o.Warnings, Label{Code: code, ZH: zh, EN: en})
	o.Data["warnings"] = append(list, map[string]any{"code": code, "article": article, "zh": zh, "en": en})
}
