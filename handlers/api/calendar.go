package api

import (
	"net/http"
	"strconv"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// CalendarView lists the years of the working-day calendar in force.
type CalendarView struct {
	Years []store.CalendarYearInfo `json:"years"`
}

// WorkdaysView is the n-th working day after a date.
type WorkdaysView struct {
	From        string `json:"from"`
	WorkingDays int    `json:"working_days"`
	Date        string `json:"date"`
}

// Calendar: GET /api/v1/calendar.
func (a *API) Calendar(c *gin.Context) {
	years, err := a.db.CalendarYears(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, CalendarView{Years: nonNil(years)})
}

// PutCalendarYear: PUT /api/v1/calendar/{year} — load or correct one year
// of official holidays and adjusted workdays (audited).
func (a *API) PutCalendarYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		httpx.Fail(c, httpx.Invalid("year", "年份应为数字", "the year must be a number"))
		return
	}
	var y workflow.CalendarYear
	if !httpx.BindJSON(c, &y) {
		return
	}
	if y.Year == 0 {
		y.Year = year
	}
	if y.Year != year {
		httpx.Fail(c, httpx.Invalid("year", "请求体中的年份应与地址中的年份一致", "the year in the body must match the path"))
		return
	}
	if err := a.db.LoadCalendarYear(c.Request.Context(), httpx.Actor(c), y); err != nil {
		httpx.Fail(c, err)
		return
	}
	a.Calendar(c)
}

// Workdays: GET /api/v1/calendar/workdays?from=YYYY-MM-DD&n=7 — the n-th
// working day after a date (the date itself does not count, Art. 26).
func (a *API) Workdays(c *gin.Context) {
	var inv workflow.Invalid
	from, err := workflow.ParseDate(c.Query("from"))
	if err != nil {
		inv.Add("from", "应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)")
	}
	n := 7
	if v := c.Query("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 0 || n > 366 {
			inv.Add("n", "应为0至366之间的整数", "must be an integer from 0 to 366")
		}
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	cal, err := a.db.CurrentCalendar(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	due, err := cal.AddWorkdays(from, n)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, WorkdaysView{From: workflow.FormatDate(from), WorkingDays: n, Date: workflow.FormatDate(due)})
}
