package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// MaxBody is the largest request body accepted (a draft text can be long).
const MaxBody = 4 << 20

// EventRequest is the decoded body of POST /api/v1/decisions/{id}/events.
type EventRequest struct {
	Event           string
	ExpectedVersion int64
	Data            map[string]any // decoded by workflow.DecodeData; never nil
}

// DecodeEventRequest parses and checks an event request. It never panics;
// every failure is a validation_failed *workflow.Error naming the field.
func DecodeEventRequest(body []byte) (*EventRequest, error) {
	var raw map[string]json.RawMessage
	if err := DecodeStrict(body, &raw); err != nil {
		return nil, err
	}
	var inv workflow.Invalid
	for k := range raw {
		if k != "event" && k != "expected_version" && k != "data" {
			inv.Add(k, "未知字段", "unknown field")
		}
	}
	req := &EventRequest{Data: map[string]any{}}
	if v, ok := raw["event"]; !ok {
		inv.Add("event", "必填", "is required")
	} else if err := json.Unmarshal(v, &req.Event); err != nil || strings.TrimSpace(req.Event) == "" {
		inv.Add("event", "应为事项操作名称（文本）", "must be an event name (string)")
	}
	req.Event = strings.TrimSpace(req.Event)
	if v, ok := raw["expected_version"]; !ok {
		inv.Add("expected_version", "必填：您所看到的决策版本号", "is required: the decision version you saw")
	} else if err := json.Unmarshal(v, &req.ExpectedVersion); err != nil || req.ExpectedVersion < 1 {
		inv.Add("expected_version", "应为正整数", "must be a positive integer")
	}
	if d := raw["data"]; len(d) > 0 && !bytes.Equal(bytes.TrimSpace(d), []byte("null")) {
		m, err := workflow.DecodeData(d)
		if err != nil {
			if e, ok := workflow.AsError(err); ok {
				inv = append(inv, e.Fields...)
			}
		} else {
			req.Data = m
		}
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	return req, nil
}

// DecodeStrict parses exactly one JSON object into v.
func DecodeStrict(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return Invalid("body", "请求体为空，应为 JSON 对象", "empty body; a JSON object is expected")
	}
	if body[0] != '{' {
		return Invalid("body", "请求体应为 JSON 对象", "the body must be a JSON object")
	}
	if err := workflow.CheckJSON(body, "body"); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return Invalid("body", "请求体不是合法的 JSON", "the body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Invalid("body", "JSON 对象之后有多余内容", "unexpected content after the JSON object")
	}
	return nil
}

// ReadBody reads at most MaxBody bytes of the request body.
func ReadBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &workflow.Error{Code: CodePayloadTooLarge, ZH: "请求体超过4MB上限", EN: "the request body exceeds the 4 MB limit"}
	}
	if err != nil {
		return nil, Invalid("body", "无法读取请求体", "could not read the body")
	}
	return b, nil
}

// ReadData reads a body that is one JSON object and decodes it as event
// data (workflow.DecodeData: numbers keep their text, limits enforced).
func ReadData(c *gin.Context) (map[string]any, error) {
	body, err := ReadBody(c.Request)
	if err != nil {
		return nil, err
	}
	var probe map[string]json.RawMessage
	if err := DecodeStrict(body, &probe); err != nil {
		return nil, err
	}
	return workflow.DecodeData(body)
}

// BindJSON decodes a size-limited JSON object body strictly (unknown
// fields refused) into v and writes the problem itself on failure.
func BindJSON(c *gin.Context, v any) bool {
	body, err := ReadBody(c.Request)
	if err != nil {
		Fail(c, err)
		return false
	}
	var probe map[string]json.RawMessage
	if err := DecodeStrict(body, &probe); err != nil {
		Fail(c, err)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		f := fieldOf(err)
		Fail(c, Invalid(f, "字段「"+f+"」的名称或类型有误", "the field "+f+" is unknown or of the wrong type"))
		return false
	}
	return true
}

// fieldOf names the field a JSON decoding error is about.
func fieldOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(s, `"`)
	}
	return "body"
}

// ParseForm reads a submitted form (at most MaxBody bytes) and refuses NUL
// characters and invalid UTF-8 in any name or value, as for JSON bodies (a
// record must hold real text; PostgreSQL cannot store NUL).
func ParseForm(c *gin.Context) (map[string][]string, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody)
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &workflow.Error{Code: CodePayloadTooLarge, ZH: "请求体超过4MB上限", EN: "the request body exceeds the 4 MB limit"}
		}
		return nil, Invalid("body", "表单无法解析", "the form could not be read")
	}
	var inv workflow.Invalid
	for k, vs := range c.Request.PostForm {
		bad := strings.ContainsRune(k, 0) || !utf8.ValidString(k)
		for _, v := range vs {
			bad = bad || strings.ContainsRune(v, 0) || !utf8.ValidString(v)
		}
		if bad {
			inv.Add(strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), ""), "内容含空字符或非法编码", "the content contains NUL or invalid UTF-8")
		}
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	return c.Request.PostForm, nil
}
