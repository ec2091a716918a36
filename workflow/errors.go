// Package workflow is the major administrative decision procedure itself
// (重大行政决策程序): states, events, who may fire them, guards, records,
// the working-day calendar and rule packs. It is pure Go: it imports nothing
// of this project and no database or HTTP package.
package workflow

import (
	"errors"
	"fmt"
	"strings"
)

// Stable error codes. They are an API contract (PROCEDURE.md § Errors):
// never rename one.
const (
	CodeValidationFailed  = "validation_failed"
	CodeUnauthenticated   = "unauthenticated"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeInvalidTransition = "invalid_transition"
	CodeVersionConflict   = "version_conflict"
	CodeInternal          = "internal"
)

// Error is the one error type of the project. Every refusal carries a stable
// Code, a message in Chinese and in English that a clerk understands, and,
// where a legal rule refused the act, the article it comes from.
type Error struct {
	Code    string `json:"code"`
	ZH      string `json:"zh"`
	EN      string `json:"en"`
	Article string `json:"article,omitempty"` // e.g. "Art. 25 ¶2", "QH (八)"
	// Rule names the rule of a forbidden act when the code alone does not
	// (a separation-of-duties or 三员 rule: "sod_reviewer_not_drafter" …).
	Rule   string       `json:"rule,omitempty"`
	Fields []FieldError `json:"errors,omitempty"`
}

// FieldError names one bad field of a request (path like "notice.closes_on"
// or "experts[0].name").
type FieldError struct {
	Field string `json:"field"`
	ZH    string `json:"zh"`
	EN    string `json:"en"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s)", e.Code, e.EN, e.ZH)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.EN)
	}
	return b.String()
}

// Detail is the message shown to people: Chinese first, English too.
func (e *Error) Detail() string {
	if e.EN == "" {
		return e.ZH
	}
	return e.ZH + " / " + e.EN
}

// Errorf builds an Error with a code and both messages.
func Errorf(code, zh, en string) *Error { return &Error{Code: code, ZH: zh, EN: en} }

// RuleError builds an Error for a legal rule, naming its article.
func RuleError(code, article, zh, en string) *Error {
	return &Error{Code: code, Article: article, ZH: zh, EN: en}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// CodeInternal otherwise.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsError returns err as an *Error if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Invalid collects field errors and returns a validation_failed *Error,
// or nil when there are none.
type Invalid []FieldError

// Add records a bad field.
func (v *Invalid) Add(field, zh, en string) {
	*v = append(*v, FieldError{Field: field, ZH: zh, EN: en})
}

// Err returns the collected errors as one validation_failed *Error, or nil.
func (v Invalid) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: CodeValidationFailed, ZH: "请求数据有误，请按提示修改。", EN: "The request has invalid fields.", Fields: v}
}
