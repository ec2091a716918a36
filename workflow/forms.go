package workflow

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Forms: an event's data as the fields of an HTML form, generated from
// the same Field table the API validates against. Form names are the data
// paths the validation errors name ("notice.closes_on",
// "experts[0].name"), so a refusal is shown next to its field. Values is a
// form's values by name (url.Values; workflow imports no HTTP package).
//
//	KString, KText, KDate, KEnum, KID  one value; blank is absent
//	KBool                              "true" / "false"; blank is absent
//	KTexts, KIDs                       one item per line of a textarea, or repeated values
//	KEnums                             repeated values (check boxes)
//	KObject                            its fields under "name."
//	KObjects                           rows "name[0].", "name[1]." …; blank rows are dropped
//
// Nothing is checked here: DecodeForm only shapes what was typed, and the
// act's validation (ValidateFields, then the guards) judges it exactly as
// it judges a JSON request.

// Values is a form's values by name.
type Values = map[string][]string

// DecodeForm turns a form's values into an event's data, the same data a
// JSON request with those values would carry (numbers as json.Number,
// lists as []any, objects as map[string]any).
func DecodeForm(fields []Field, v Values) map[string]any {
	m := decodeFields(fields, v, "")
	// Normalise exactly as the API does (workflow.DecodeData).
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	out, err := DecodeData(b)
	if err != nil {
		return m
	}
	return out
}

func first(v Values, k string) string {
	if xs := v[k]; len(xs) > 0 {
		return xs[0]
	}
	return ""
}

// formText is a typed text with browsers' CR LF line ends made LF.
func formText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func decodeFields(fields []Field, v Values, prefix string) map[string]any {
	m := map[string]any{}
	for _, f := range fields {
		name := prefix + f.Name
		switch f.Kind {
		case KString, KText:
			if s := formText(first(v, name)); strings.TrimSpace(s) != "" {
				m[f.Name] = s
			}
		case KDate, KEnum:
			if s := strings.TrimSpace(first(v, name)); s != "" {
				m[f.Name] = s
			}
		case KID:
			if s := strings.TrimSpace(first(v, name)); s != "" {
				m[f.Name] = formID(s)
			}
		case KBool:
			switch strings.TrimSpace(first(v, name)) {
			case "true", "on":
				m[f.Name] = true
			case "false":
				m[f.Name] = false
			}
		case KTexts, KIDs, KEnums:
			var items []any
			for _, raw := range v[name] {
				for _, line := range strings.Split(formText(raw), "\n") {
					line = strings.TrimSpace(line)
					if line == "" {
						continue
					}
					if f.Kind == KIDs {
						items = append(items, formID(line))
					} else {
						items = append(items, line)
					}
				}
			}
			if len(items) > 0 || f.Required {
				if items == nil {
					items = []any{}
				}
				m[f.Name] = items
			}
		case KObject:
			sub := decodeFields(f.Fields, v, name+".")
			if !blank(sub) || f.Required {
				m[f.Name] = sub
			}
		case KObjects:
			var rows []any
			for _, i := range rowIndices(v, name) {
				if row := decodeFields(f.Fields, v, fmt.Sprintf("%s[%d].", name, i)); !blank(row) {
					rows = append(rows, row)
				}
			}
			if len(rows) > 0 || f.Required {
				if rows == nil {
					rows = []any{}
				}
				m[f.Name] = rows
			}
		}
	}
	return m
}

// blank reports whether decoded form data holds nothing typed (only
// empty lists and objects that required fields put there).
func blank(x any) bool {
	switch t := x.(type) {
	case map[string]any:
		for _, v := range t {
			if !blank(v) {
				return false
			}
		}
		return true
	case []any:
		for _, v := range t {
			if !blank(v) {
				return false
			}
		}
		return true
	}
	return false
}

// formID is a typed id as a JSON number, or the text itself when it is
// not a number (the validation then says what is wrong).
func formID(s string) any {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(s)
	}
	return s
}

// rowIndices lists the row numbers of the list name present in v, in order.
func rowIndices(v Values, name string) []int {
	seen := map[int]bool{}
	for k := range v {
		rest, ok := strings.CutPrefix(k, name+"[")
		if !ok {
			continue
		}
		n, tail, ok := strings.Cut(rest, "]")
		if !ok || !strings.HasPrefix(tail, ".") {
			continue
		}
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < MaxItems {
			seen[i] = true
		}
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// RowCount is the number of rows of the list name in v (the highest row
// number present plus one).
func RowCount(v Values, name string) int {
	rs := rowIndices(v, name)
	if len(rs) == 0 {
		return 0
	}
	return rs[len(rs)-1] + 1
}

// EncodeForm is the inverse of DecodeForm: the form values that carry
// data. DecodeForm(fields, EncodeForm(fields, d)) is d for every valid d.
func EncodeForm(fields []Field, data map[string]any) Values {
	v := Values{}
	encodeFields(fields, data, "", v)
	return v
}

func encodeFields(fields []Field, data map[string]any, prefix string, v Values) {
	for _, f := range fields {
		name := prefix + f.Name
		x, ok := data[f.Name]
		if !ok || x == nil {
			continue
		}
		switch f.Kind {
		case KObject:
			if o, ok := x.(map[string]any); ok {
				encodeFields(f.Fields, o, name+".", v)
			}
		case KObjects:
			if arr, ok := x.([]any); ok {
				for i, it := range arr {
					if o, ok := it.(map[string]any); ok {
						encodeFields(f.Fields, o, fmt.Sprintf("%s[%d].", name, i), v)
					}
				}
			}
		case KTexts, KIDs:
			if arr, ok := x.([]any); ok {
				lines := make([]string, 0, len(arr))
				for _, it := range arr {
					lines = append(lines, scalarText(it))
				}
				v[name] = []string{strings.Join(lines, "\n")}
			}
		case KEnums:
			if arr, ok := x.([]any); ok {
				for _, it := range arr {
					v[name] = append(v[name], scalarText(it))
				}
			}
		default:
			v[name] = []string{scalarText(x)}
		}
	}
}

// scalarText is a scalar as typed in a form.
func scalarText(x any) string {
	switch t := x.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return string(t)
	case nil:
		return ""
	}
	b, _ := json.Marshal(x)
	return string(b)
}
