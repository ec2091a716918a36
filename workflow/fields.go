package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is the type of a field of an event's data.
type Kind int

// Field kinds.
const (
	KString  Kind = iota // a string, may be empty
	KText                // a non-blank string
	KID                  // a positive integer id
	KBool                // true or false
	KDate                // YYYY-MM-DD
	KEnum                // one of Enum
	KTexts               // an array of non-blank strings
	KIDs                 // an array of positive integer ids
	KObject              // an object with Fields
	KObjects             // an array of objects with Fields
	KEnums               // an array of values of Enum
)

// Field describes one field of an event's minimal data.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	Enum     []string
	MinItems int
	Fields   []Field
}

// Limits on what one request may carry.
const (
	MaxTextLen   = 1 << 20 // one string field, in bytes
	MaxItems     = 1000    // items in one array
	MaxDataDepth = 16
)

// DecodeData parses an event's data object. Numbers keep their text
// (json.Number) so the record stores exactly what was sent.
func DecodeData(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return map[string]any{}, nil
	}
	if err := CheckJSON(raw, "data"); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, dataErr("data", "数据不是合法的 JSON："+jsonErrText(err), "data is not valid JSON: "+jsonErrText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, dataErr("data", "数据后有多余内容", "unexpected content after the data object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, dataErr("data", "数据应为 JSON 对象", "data must be a JSON object")
	}
	if depth(m, 0) > MaxDataDepth {
		return nil, dataErr("data", "数据嵌套层次过深", "data is nested too deeply")
	}
	return m, nil
}

// CheckJSON refuses what encoding/json would let through silently but a
// record must never hold: invalid UTF-8 (json replaces it with U+FFFD), NUL
// characters in any string or key (PostgreSQL cannot store them), and
// duplicate keys in an object (which of the two would count?). Syntax
// errors are left to the decoder. field names the part of the request.
func CheckJSON(raw []byte, field string) error {
	if !utf8.Valid(raw) {
		return dataErr(field, "内容不是合法的 UTF-8 文本", "the content is not valid UTF-8 text")
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return dataErr(field, "内容不能含空字符（NUL）", "the content must not contain NUL characters")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool // in an object: the next string token is a key
		path   string
		key    string
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // end of input, or a syntax error the decoder reports
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		here := field
		if top != nil {
			here = top.path
			if top.obj && top.key != "" {
				here = joinPath(top.path, top.key)
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.obj {
					top.expect = true
				}
				stack = append(stack, &frame{obj: t == '{', keys: map[string]bool{}, expect: t == '{', path: here})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if strings.ContainsRune(t, 0) {
				return dataErr(here, "内容不能含空字符（NUL）", "the content must not contain NUL characters")
			}
			if top != nil && top.obj && top.expect {
				if top.keys[t] {
					return dataErr(joinPath(top.path, t), "字段重复出现", "the key appears twice")
				}
				top.keys[t], top.key, top.expect = true, t, false
				continue
			}
		}
		if top != nil && top.obj {
			top.expect = true
		}
	}
}

func joinPath(path, key string) string {
	if path == "" || path == "body" {
		return key
	}
	return path + "." + key
}

func depth(v any, d int) int {
	max := d
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			if n := depth(c, d+1); n > max {
				max = n
			}
		}
	case []any:
		for _, c := range x {
			if n := depth(c, d+1); n > max {
				max = n
			}
		}
	}
	return max
}

func jsonErrText(err error) string {
	var se *json.SyntaxError
	if ok := asErr(err, &se); ok {
		return fmt.Sprintf("offset %d: %s", se.Offset, se.Error())
	}
	return err.Error()
}

func asErr[T error](err error, target *T) bool {
	e, ok := err.(T)
	if ok {
		*target = e
	}
	return ok
}

func dataErr(field, zh, en string) error {
	var v Invalid
	v.Add(field, zh, en)
	return v.Err()
}

// ValidateFields checks data against the field list and collects every bad
// field into inv, with paths such as "notice.closes_on" or "experts[0].name".
func ValidateFields(data map[string]any, fields []Field, prefix string, inv *Invalid) {
	for _, f := range fields {
		path := prefix + f.Name
		v, present := data[f.Name]
		if !present || v == nil {
			if f.Required {
				inv.Add(path, "必填", "is required")
			}
			continue
		}
		checkValue(v, f, path, inv)
	}
}

func checkValue(v any, f Field, path string, inv *Invalid) {
	switch f.Kind {
	case KString, KText:
		s, ok := v.(string)
		if !ok {
			inv.Add(path, "应为文本", "must be a string")
			return
		}
		checkString(s, f.Kind == KText, path, inv)
	case KID:
		if _, ok := asID(v); !ok {
			inv.Add(path, "应为正整数编号", "must be a positive integer id")
		}
	case KBool:
		if _, ok := v.(bool); !ok {
			inv.Add(path, "应为 true 或 false", "must be true or false")
		}
	case KDate:
		s, ok := v.(string)
		if !ok {
			inv.Add(path, "应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)")
			return
		}
		if _, err := ParseDate(s); err != nil {
			inv.Add(path, "日期格式应为 YYYY-MM-DD，且为真实日期", "must be a real date as YYYY-MM-DD")
		}
	case KEnum:
		s, ok := v.(string)
		if !ok || !contains(f.Enum, s) {
			zh, en := enumError(v, f)
			inv.Add(path, zh, en)
		}
	case KTexts, KIDs, KObjects, KEnums:
		arr, ok := v.([]any)
		if !ok {
			inv.Add(path, "应为数组", "must be an array")
			return
		}
		if len(arr) < f.MinItems {
			inv.Add(path, fmt.Sprintf("至少应有%d项", f.MinItems), fmt.Sprintf("needs at least %d item(s)", f.MinItems))
		}
		if len(arr) > MaxItems {
			inv.Add(path, fmt.Sprintf("最多%d项", MaxItems), fmt.Sprintf("at most %d items", MaxItems))
			return
		}
		item := f
		item.Kind = map[Kind]Kind{KTexts: KText, KIDs: KID, KObjects: KObject, KEnums: KEnum}[f.Kind]
		for i, x := range arr {
			checkValue(x, item, fmt.Sprintf("%s[%d]", path, i), inv)
		}
	case KObject:
		m, ok := v.(map[string]any)
		if !ok {
			inv.Add(path, "应为对象", "must be an object")
			return
		}
		ValidateFields(m, f.Fields, path+".", inv)
	}
}

func checkString(s string, nonBlank bool, path string, inv *Invalid) {
	switch {
	case len(s) > MaxTextLen:
		inv.Add(path, "文本过长（上限1MB）", "text too long (limit 1 MB)")
	case !utf8.ValidString(s):
		inv.Add(path, "文本不是有效的 UTF-8", "text is not valid UTF-8")
	case nonBlank && strings.TrimSpace(s) == "":
		inv.Add(path, "不能为空", "must not be blank")
	}
}

func asID(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil && n > 0
	case float64:
		n := int64(x)
		return n, float64(n) == x && n > 0
	case int64:
		return x, x > 0
	case int:
		return int64(x), x > 0
	}
	return 0, false
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// Accessors for validated data. They return zero values for absent fields.

func str(m map[string]any, k string) string { s, _ := m[k].(string); return strings.TrimSpace(s) }

func obj(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }

func boolean(m map[string]any, k string) bool { b, _ := m[k].(bool); return b }

func id(m map[string]any, k string) int64 { n, _ := asID(m[k]); return n }

func list(m map[string]any, k string) []any { a, _ := m[k].([]any); return a }

func objs(m map[string]any, k string) []map[string]any {
	var out []map[string]any
	for _, x := range list(m, k) {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func texts(m map[string]any, k string) []string {
	var out []string
	for _, x := range list(m, k) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func ids(m map[string]any, k string) []int64 {
	var out []int64
	for _, x := range list(m, k) {
		if n, ok := asID(x); ok {
			out = append(out, n)
		}
	}
	return out
}

// date returns a validated date field (zero time when absent).
func date(m map[string]any, k string) time.Time {
	t, _ := ParseDate(str(m, k))
	return t
}
