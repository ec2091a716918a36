package console

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"decisiond/handlers/templates"
	"decisiond/workflow"
)

// What the templates receive is prepared here in the page's language, so
// the templates stay plain: labels of fields and values come from
// workflow's label tables, never from the templates.

// lang picks the Chinese or the English of a label.
type lang struct {
	v *templates.View
	p *workflow.Procedure
}

func (l lang) L(x workflow.Label) string { return l.v.T(x.ZH, x.EN) }

func (l lang) state(s workflow.State) string {
	sd, ok := workflow.StateByCode(s)
	if !ok {
		return string(s)
	}
	return l.v.T(sd.ZH, sd.EN)
}

// ---- pagination ----

type pager struct {
	Label, Status        string
	Prev, Next           string
	PrevLabel, NextLabel string
	Pages                int
}

// newPager links the pages of a list at path with the query q.
func newPager(v *templates.View, path string, q url.Values, page, perPage, total int) pager {
	if perPage <= 0 {
		perPage = 20
	}
	if page <= 0 {
		page = 1
	}
	pages := (total + perPage - 1) / perPage
	link := func(n int) string {
		qq := url.Values{}
		for k, vs := range q {
			if k != "page" {
				qq[k] = vs
			}
		}
		if n > 1 {
			qq.Set("page", strconv.Itoa(n))
		}
		if e := qq.Encode(); e != "" {
			return path + "?" + e
		}
		return path
	}
	p := pager{Label: v.T("分页", "Pages"), Pages: pages, PrevLabel: v.T("上一页", "Previous"), NextLabel: v.T("下一页", "Next"),
		Status: v.T(fmt.Sprintf("共%d条，第%d/%d页", total, page, max(pages, 1)), fmt.Sprintf("%d in all, page %d of %d", total, page, max(pages, 1)))}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}

// ---- readable data ----

// dataItem is one field of a record's data, readable.
type dataItem struct {
	Label string
	Text  string
	Long  bool
	List  []string
	Items []dataItem
	Rows  [][]dataItem
}

// readable renders an event's data as labelled items: yes/no, labelled
// values, unit names, dates — never raw JSON.
func readable(l lang, event string, raw json.RawMessage, units map[int64]workflow.Unit) []dataItem {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
		return nil
	}
	return readableMap(l, event, "", m, units)
}

// hiddenKeys are data keys shown elsewhere on the page.
var hiddenKeys = map[string]bool{"text": true, "sha256": true, "length": true}

func readableMap(l lang, event, prefix string, m map[string]any, units map[int64]workflow.Unit) []dataItem {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Fields in the order of the event's field table, then the rest.
	order := map[string]int{}
	if def, ok := l.p.Event(event); ok {
		for i, name := range fieldOrder(def.Fields, "") {
			order[name] = i + 1
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		oi, oj := order[prefix+keys[i]], order[prefix+keys[j]]
		if oi == 0 {
			oi = 1 << 20
		}
		if oj == 0 {
			oj = 1 << 20
		}
		if oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	var out []dataItem
	for _, k := range keys {
		if prefix == "" && event == workflow.EvReviseDraft && hiddenKeys[k] {
			continue
		}
		path := prefix + k
		info := workflow.FieldLabel(event, path)
		it := dataItem{Label: l.v.T(info.ZH, info.EN)}
		if k == "warnings" {
			// the engine's warnings: labels in both languages
			for _, e := range asList(m[k]) {
				if o, ok := e.(map[string]any); ok {
					zh, _ := o["zh"].(string)
					en, _ := o["en"].(string)
					it.List = append(it.List, l.v.T(zh, en))
				}
			}
			out = append(out, it)
			continue
		}
		switch x := m[k].(type) {
		case map[string]any:
			it.Items = readableMap(l, event, path+".", x, units)
		case []any:
			for _, e := range x {
				if o, ok := e.(map[string]any); ok {
					it.Rows = append(it.Rows, readableMap(l, event, path+".", o, units))
				} else {
					it.List = append(it.List, scalar(l, k, info, e, units))
				}
			}
			if len(x) == 0 {
				it.Text = "—"
			}
		default:
			it.Text = scalar(l, k, info, x, units)
			it.Long = len([]rune(it.Text)) > 60
		}
		out = append(out, it)
	}
	return out
}

func asList(x any) []any { a, _ := x.([]any); return a }

// fieldOrder lists the paths of fields in table order.
func fieldOrder(fs []workflow.Field, prefix string) []string {
	var out []string
	for _, f := range fs {
		out = append(out, prefix+f.Name)
		out = append(out, fieldOrder(f.Fields, prefix+f.Name+".")...)
	}
	return out
}

// scalar renders one value: 是/否, a labelled enumerated value, a unit's
// name, or the text as given.
func scalar(l lang, key string, info workflow.FieldInfo, x any, units map[int64]workflow.Unit) string {
	switch t := x.(type) {
	case bool:
		if t {
			return l.v.T("是", "yes")
		}
		return l.v.T("否", "no")
	case nil:
		return "—"
	case float64:
		if info.Ref == "unit" {
			if u, ok := units[int64(t)]; ok {
				return u.Name
			}
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	case string:
		if lb := workflow.EnumLabel(key, t); lb.ZH != t {
			return l.L(lb)
		}
		if _, ok := l.p.Event(t); ok && (key == "event" || key == "decision") {
			return l.L(workflow.EventLabel(l.p, t))
		}
		return t
	}
	b, _ := json.Marshal(x)
	return string(b)
}

// ---- durations and dates ----

// took writes a duration as days and hours (or minutes when short).
func took(v *templates.View, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return v.T(fmt.Sprintf("%d天%d小时", days, hours), fmt.Sprintf("%d d %d h", days, hours))
	case hours > 0:
		return v.T(fmt.Sprintf("%d小时%d分", hours, mins), fmt.Sprintf("%d h %d min", hours, mins))
	}
	return v.T(fmt.Sprintf("%d分钟", mins), fmt.Sprintf("%d min", mins))
}

// clock writes a stored time in China time.
func clock(t time.Time) string { return t.In(workflow.ChinaTime).Format("2006-01-02 15:04") }

// storedClock writes a time as the store keeps it, in China time.
func storedClock(s string) string {
	t, err := time.Parse("2006-01-02T15:04:05.000000000Z", s)
	if err != nil {
		return s
	}
	return clock(t)
}

// trimText shortens a text for a table cell.
func trimText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// sortOptions orders options by their label.
func sortOptions(os []option) {
	sort.SliceStable(os, func(i, j int) bool { return os[i].Label < os[j].Label })
}
