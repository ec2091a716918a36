package httpx

import (
	"strconv"
	"time"

	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// PathID is the positive integer id in the path parameter name (usually
// "id"); anything else is not_found, as no such thing exists.
func PathID(c *gin.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n < 1 {
		return 0, workflow.Errorf(workflow.CodeNotFound, "未找到（编号应为正整数）", "not found (the id must be a positive integer)")
	}
	return n, nil
}

// PathIDs reads the named integer path parameters in order; on a bad one
// it answers the problem and reports false.
func PathIDs(c *gin.Context, names ...string) ([]int64, bool) {
	ids := make([]int64, len(names))
	for i, name := range names {
		id, err := PathID(c, name)
		if err != nil {
			Fail(c, err)
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// MaxPage bounds page numbers, so an offset never overflows.
const MaxPage = 1_000_000

// PageOf reads page and per_page.
func PageOf(c *gin.Context, inv *workflow.Invalid) store.Page {
	p := store.Page{Page: QueryInt(c, "page", inv), PerPage: QueryInt(c, "per_page", inv)}
	if p.Page > MaxPage {
		inv.Add("page", "页码超出范围（最大1000000）", "page out of range (at most 1000000)")
	}
	if p.PerPage > store.MaxPerPage {
		inv.Add("per_page", "每页条数超出范围（最大200）", "per_page out of range (at most 200)")
	}
	return p
}

// QueryInt reads a positive integer query parameter (0 when absent).
func QueryInt(c *gin.Context, k string, inv *workflow.Invalid) int {
	v := c.Query(k)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		inv.Add(k, "应为正整数", "must be a positive integer")
		return 0
	}
	return n
}

// QueryID reads a positive integer id query parameter (nil when absent).
func QueryID(c *gin.Context, k string, inv *workflow.Invalid) *int64 {
	v := c.Query(k)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		inv.Add(k, "应为正整数编号", "must be a positive integer id")
		return nil
	}
	return &n
}

// QueryTime reads an RFC 3339 time or a YYYY-MM-DD date (that day's start
// in China) query parameter (nil when absent).
func QueryTime(c *gin.Context, k string, inv *workflow.Invalid) *time.Time {
	v := c.Query(k)
	if v == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t
	}
	if d, err := workflow.ParseDate(v); err == nil {
		t := d.Add(-8 * time.Hour) // a date means that day in China
		return &t
	}
	inv.Add(k, "应为 RFC 3339 时间或 YYYY-MM-DD 日期", "must be an RFC 3339 time or a YYYY-MM-DD date")
	return nil
}

// QueryBool reads true/false/1/0 (false when absent).
func QueryBool(c *gin.Context, k string, inv *workflow.Invalid) bool {
	switch c.Query(k) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	inv.Add(k, "应为 true 或 false", "must be true or false")
	return false
}

// ListMeta is the paging part of a list response.
type ListMeta struct {
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

// Meta describes the page p of a list of total items.
func Meta(p store.Page, total int) ListMeta {
	limit, offset := p.Norm()
	return ListMeta{Page: offset/limit + 1, PerPage: limit, Total: total}
}

// QueryState reads a state code query parameter (nil when absent).
func QueryState(c *gin.Context, k string, inv *workflow.Invalid) *string {
	v := c.Query(k)
	if v == "" {
		return nil
	}
	if _, ok := workflow.StateByCode(workflow.State(v)); !ok {
		inv.Add(k, "未知状态："+v, "unknown state: "+v)
	}
	return &v
}

// QueryUntil reads the end of a time range: an RFC 3339 time, or a
// YYYY-MM-DD date that includes that whole day (nil when absent).
func QueryUntil(c *gin.Context, k string, inv *workflow.Invalid) *time.Time {
	t := QueryTime(c, k, inv)
	if t != nil {
		if _, err := workflow.ParseDate(c.Query(k)); err == nil {
			end := t.AddDate(0, 0, 1)
			t = &end
		}
	}
	return t
}
