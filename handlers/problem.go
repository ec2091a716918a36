package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// CodePayloadTooLarge is returned for a body over the limit.
const (
	CodePayloadTooLarge  = "payload_too_large"
	CodeMethodNotAllowed = "method_not_allowed"
)

// statusOf maps an error code to its HTTP status (PROCEDURE.md § Errors).
// Every legal guard's code is 422.
func statusOf(code string) int {
	switch code {
	case workflow.CodeValidationFailed:
		return http.StatusBadRequest
	case workflow.CodeUnauthenticated:
		return http.StatusUnauthorized
	case workflow.CodeForbidden:
		return http.StatusForbidden
	case workflow.CodeNotFound:
		return http.StatusNotFound
	case workflow.CodeInvalidTransition, workflow.CodeVersionConflict:
		return http.StatusConflict
	case CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
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
	Errors  []workflow.FieldError `json:"errors,omitempty"`
}

var titles = map[int]string{
	400: "请求有误 Bad Request", 401: "未认证 Unauthenticated", 403: "无权办理 Forbidden", 404: "未找到 Not Found",
	405: "不支持的请求方法 Method Not Allowed", 409: "冲突 Conflict", 413: "请求过大 Payload Too Large", 422: "不符合法定程序 Refused by a Legal Rule", 500: "系统内部错误 Internal Error",
}

// fail writes err as problem+json. Errors that are not *workflow.Error are
// logged with context and reported as a bland internal error, so no
// internals leak.
func fail(c *gin.Context, err error) {
	e, ok := workflow.AsError(err)
	if !ok || e.Code == workflow.CodeInternal {
		if errors.Is(err, context.Canceled) {
			c.Abort()
			return
		}
		slog.ErrorContext(c.Request.Context(), "internal error", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		e = workflow.Errorf(workflow.CodeInternal, "系统内部错误，请稍后重试或联系管理员", "internal error; try again later or contact the administrator")
	}
	status := statusOf(e.Code)
	p := Problem{Type: "urn:decisiond:problem:" + e.Code, Title: titles[status], Status: status, Code: e.Code,
		Detail: e.Detail(), Article: e.Article, Errors: e.Fields}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="decisiond"`)
	}
	c.Header("Content-Type", "application/problem+json; charset=utf-8")
	c.Abort()
	c.PureJSON(status, p)
}

func invalid(field, zh, en string) error {
	var v workflow.Invalid
	v.Add(field, zh, en)
	return v.Err()
}
