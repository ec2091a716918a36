// Package httpx holds what every HTTP room shares: the one error writer
// (problem+json for API clients, an error page for browsers), request
// decoding, path/query/paging helpers and the actor of the request.
package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Codes of the HTTP layer itself (the procedure's codes live in workflow).
const (
	CodePayloadTooLarge  = "payload_too_large"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeRateLimited      = "rate_limited"
)

// StatusOf maps an error code to its HTTP status (PROCEDURE.md § Errors).
// Every legal guard's code is 422.
func StatusOf(code string) int {
	switch code {
	case workflow.CodeValidationFailed:
		return http.StatusBadRequest
	case workflow.CodeUnauthenticated:
		return http.StatusUnauthorized
	case workflow.CodeForbidden:
		return http.StatusForbidden
	case workflow.CodeNotFound:
		return http.StatusNotFound
	case workflow.CodeInvalidTransition, workflow.CodeVersionConflict, workflow.CodeConsultationClosed:
		return http.StatusConflict
	case CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case store.CodeDocumentType:
		return http.StatusUnsupportedMediaType
	case store.CodeSigningKeyMissing, store.CodeStorageFull, store.CodeStorageReadOnly:
		return http.StatusServiceUnavailable
	case workflow.CodeInternal, "":
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity
}

// Problem is an RFC 9457 problem document with the project's stable code.
type Problem struct {
	Type    string                `json:"type"`
	Title   string                `json:"title"`
	Status  int                   `json:"status"`
	Code    string                `json:"code"`
	Detail  string                `json:"detail"`
	Article string                `json:"article,omitempty"`
	Rule    string                `json:"rule,omitempty"`
	Errors  []workflow.FieldError `json:"errors,omitempty"`
	// RequestID is the request's id (X-Request-ID), so a clerk's report of
	// a refusal leads to its log line.
	RequestID string `json:"request_id,omitempty"`
}

var titles = map[int]string{
	400: "请求有误 Bad Request", 401: "未认证 Unauthenticated", 403: "无权办理 Forbidden", 404: "未找到 Not Found",
	405: "不支持的请求方法 Method Not Allowed", 409: "冲突 Conflict", 413: "请求过大 Payload Too Large",
	415: "文件类型不允许 Unsupported Media Type", 422: "不符合法定程序 Refused by a Legal Rule", 503: "服务暂不可用 Service Unavailable", 429: "请求过于频繁 Too Many Requests", 500: "系统内部错误 Internal Error",
}

// ProblemOf turns err into the problem document clients see. Errors that
// are not *workflow.Error are reported as a bland internal error, so no
// internals leak; the caller logs them.
func ProblemOf(err error) (Problem, bool) {
	e, ok := workflow.AsError(err)
	internal := !ok || e.Code == workflow.CodeInternal
	if internal {
		e = workflow.Errorf(workflow.CodeInternal, "系统内部错误，请稍后重试或联系管理员", "internal error; try again later or contact the administrator")
	}
	status := StatusOf(e.Code)
	return Problem{Type: "urn:decisiond:problem:" + e.Code, Title: titles[status], Status: status, Code: e.Code,
		Detail: e.Detail(), Article: e.Article, Rule: e.Rule, Errors: e.Fields}, internal
}

// Fail writes err as the response and aborts the request: problem+json to
// API clients, an error page to browsers (chosen by Accept). A cancelled
// request writes nothing.
func Fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		c.Abort()
		return
	}
	p, internal := ProblemOf(err)
	p.RequestID = RequestID(c)
	if p.Rule != "" {
		c.Set(RefusalRuleKey, p.Rule)
	}
	c.Set(RefusalCodeKey, p.Code)
	if internal || p.Status == http.StatusServiceUnavailable {
		// A bug, or the storage refusing (disk full, read-only): the
		// operator must see the cause.
		slog.ErrorContext(c.Request.Context(), "internal error", "method", c.Request.Method, "route", c.FullPath(), "code", p.Code, "err", err)
	}
	c.Abort()
	if p.Status == http.StatusUnauthorized && !WantsHTML(c.Request) {
		c.Header("WWW-Authenticate", `Bearer realm="decisiond"`)
	}
	if WantsHTML(c.Request) {
		c.Status(p.Status)
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Header("Cache-Control", "no-store")
		v := templates.NewView(c.Request, p.Title)
		v.Data = p
		if err := templates.Render(c.Writer, "errors/error", v); err != nil {
			slog.ErrorContext(c.Request.Context(), "render error page", "err", err)
		}
		return
	}
	c.Header("Content-Type", "application/problem+json; charset=utf-8")
	c.PureJSON(p.Status, p)
}

// RefusalRuleKey holds the rule of a refusal for the security log.
const RefusalRuleKey = "decisiond.rule"

// RefusalCodeKey holds the code of a refusal for the security log.
const RefusalCodeKey = "decisiond.code"

// WantsHTML reports whether the client is a browser asking for a page:
// its Accept names text/html before any JSON type.
func WantsHTML(r *http.Request) bool {
	acc := r.Header.Get("Accept")
	h := strings.Index(acc, "text/html")
	if h < 0 {
		return false
	}
	j := strings.Index(acc, "json")
	return j < 0 || h < j
}

// Invalid is a validation_failed error naming one field.
func Invalid(field, zh, en string) error {
	var v workflow.Invalid
	v.Add(field, zh, en)
	return v.Err()
}
