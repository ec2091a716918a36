package workflow

import (
	"fmt"
	"slices"
	"time"
)

// CodeCalendarYearUnknown is returned when a working-day computation needs a
// year whose official holiday arrangements have not been loaded. The engine
// never guesses: an unloaded year is not treated as plain Monday–Friday
// (PROCEDURE.md § Time).
const CodeCalendarYearUnknown = "calendar_year_unknown"

// Bounds of a calendar year that can be loaded (four-digit years, as dates
// are written YYYY-MM-DD).
const (
	MinCalendarYear = 1900
	MaxCalendarYear = 9999
)

// CalendarYear is one year of the official holiday arrangements (国务院办公厅
// 关于部分节假日安排的通知), as data an administrator can load or correct
// without a new release.
type CalendarYear struct {
	Year int `json:"year"`
	// Holidays are the days off (放假) in this year, "YYYY-MM-DD". A holiday
	// may fall on a weekend.
	Holidays []string `json:"holidays"`
	// Workdays are the adjusted workdays (调休上班) in this year: Saturdays or
	// Sundays that are working days.
	Workdays []string `json:"workdays"`
	// Source names where the data comes from (the notice, or the admin's
	// correction).
	Source string `json:"source,omitempty"`
}

// Validate checks that every date parses, lies in Year, is listed once, that
// no day is both a holiday and a workday, and that every adjusted workday is
// a Saturday or Sunday. It returns a validation_failed *Error naming each bad
// field, or nil.
func (y CalendarYear) Validate() error {
	var bad Invalid
	y.validateInto(&bad, "")
	return bad.Err()
}

func (y CalendarYear) validateInto(bad *Invalid, prefix string) {
	if y.Year < MinCalendarYear || y.Year > MaxCalendarYear {
		bad.Add(prefix+"year",
			fmt.Sprintf("年份%d无效，应在%d至%d之间", y.Year, MinCalendarYear, MaxCalendarYear),
			fmt.Sprintf("year %d is out of range %d–%d", y.Year, MinCalendarYear, MaxCalendarYear))
		return // every date check below depends on the year
	}
	if len(y.Holidays) == 0 {
		bad.Add(prefix+"holidays",
			fmt.Sprintf("%d年的节假日安排为空：每年都有法定节假日，请按国务院办公厅通知填写放假日期", y.Year),
			fmt.Sprintf("no holidays listed for %d: every year has statutory holidays; enter the days off from the State Council notice", y.Year))
	}
	holidays := map[string]bool{}
	for i, s := range y.Holidays {
		field := fmt.Sprintf("%sholidays[%d]", prefix, i)
		d, ok := y.checkDate(bad, field, s)
		if !ok {
			continue
		}
		if holidays[FormatDate(d)] {
			bad.Add(field, fmt.Sprintf("放假日期%s重复", s), fmt.Sprintf("holiday %s is listed twice", s))
			continue
		}
		holidays[FormatDate(d)] = true
	}
	workdays := map[string]bool{}
	for i, s := range y.Workdays {
		field := fmt.Sprintf("%sworkdays[%d]", prefix, i)
		d, ok := y.checkDate(bad, field, s)
		if !ok {
			continue
		}
		key := FormatDate(d)
		switch {
		case workdays[key]:
			bad.Add(field, fmt.Sprintf("调休上班日期%s重复", s), fmt.Sprintf("adjusted workday %s is listed twice", s))
		case holidays[key]:
			bad.Add(field,
				fmt.Sprintf("%s同时被列为放假日和调休上班日", s),
				fmt.Sprintf("%s is listed both as a holiday and as an adjusted workday", s))
		case d.Weekday() != time.Saturday && d.Weekday() != time.Sunday:
			bad.Add(field,
				fmt.Sprintf("%s是%s，本来就是工作日；调休上班日只能是星期六或星期日", s, weekdayZH[d.Weekday()]),
				fmt.Sprintf("%s is a %s, already a working day; an adjusted workday must be a Saturday or Sunday", s, d.Weekday()))
		}
		workdays[key] = true
	}
}

// checkDate parses s and checks it lies in y.Year.
func (y CalendarYear) checkDate(bad *Invalid, field, s string) (time.Time, bool) {
	d, err := ParseDate(s)
	if err != nil {
		bad.Add(field,
			fmt.Sprintf("日期“%s”无效，应为YYYY-MM-DD格式的真实日期", s),
			fmt.Sprintf("%q is not a valid date; use YYYY-MM-DD", s))
		return time.Time{}, false
	}
	if d.Year() != y.Year {
		bad.Add(field,
			fmt.Sprintf("日期%s不在%d年内", s, y.Year),
			fmt.Sprintf("%s is not in the year %d", s, y.Year))
		return time.Time{}, false
	}
	return d, true
}

var weekdayZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// dayKind is what the official arrangements say about one day.
type dayKind uint8

const (
	dayOrdinary dayKind = iota // Mon–Fri work, Sat/Sun rest
	dayHoliday                 // 放假
	dayWorkday                 // 调休上班
)

// calendarYear is a loaded, validated year: its data (normalised, sorted)
// and the kind of each day indexed by YearDay.
type calendarYear struct {
	data CalendarYear
	days [367]dayKind
}

func loadYear(y CalendarYear) *calendarYear {
	cy := &calendarYear{data: CalendarYear{Year: y.Year, Source: y.Source}}
	for _, s := range y.Holidays {
		d, _ := ParseDate(s) // validated
		cy.days[d.YearDay()] = dayHoliday
	}
	for _, s := range y.Workdays {
		d, _ := ParseDate(s)
		cy.days[d.YearDay()] = dayWorkday
	}
	start := time.Date(y.Year, time.January, 1, 0, 0, 0, 0, time.UTC)
	for d := start; d.Year() == y.Year; d = d.AddDate(0, 0, 1) {
		switch cy.days[d.YearDay()] {
		case dayHoliday:
			cy.data.Holidays = append(cy.data.Holidays, FormatDate(d))
		case dayWorkday:
			cy.data.Workdays = append(cy.data.Workdays, FormatDate(d))
		}
	}
	if cy.data.Workdays == nil {
		cy.data.Workdays = []string{} // JSON "[]", not null
	}
	return cy
}

// Calendar is the working-day calendar (工作日) built from loaded years of
// official holiday arrangements. It is immutable after construction and safe
// for concurrent use; With returns a new Calendar.
type Calendar struct {
	years map[int]*calendarYear
}

// NewCalendar validates and loads the given years. When several have the same
// Year the later one replaces the earlier: list built-in data first and an
// administrator's correction after it. An invalid year fails the whole
// calendar with a validation_failed *Error whose fields are prefixed
// "years[i]." (i is the argument's index).
func NewCalendar(years ...CalendarYear) (*Calendar, error) {
	var bad Invalid
	for i, y := range years {
		y.validateInto(&bad, fmt.Sprintf("years[%d].", i))
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	c := &Calendar{years: make(map[int]*calendarYear, len(years))}
	for _, y := range years {
		c.years[y.Year] = loadYear(y)
	}
	return c, nil
}

// With returns a new Calendar with y added, or replacing the loaded year with
// the same Year. c itself is unchanged.
func (c *Calendar) With(y CalendarYear) (*Calendar, error) {
	if err := y.Validate(); err != nil {
		return nil, err
	}
	n := &Calendar{years: make(map[int]*calendarYear, c.len()+1)}
	if c != nil {
		for k, v := range c.years {
			n.years[k] = v // loaded years are never modified, so sharing is safe
		}
	}
	n.years[y.Year] = loadYear(y)
	return n, nil
}

func (c *Calendar) len() int {
	if c == nil {
		return 0
	}
	return len(c.years)
}

// Years returns the loaded years in ascending order.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Year returns a copy of the loaded data for year y (dates sorted), and
// whether that year is loaded.
func (c *Calendar) Year(y int) (CalendarYear, bool) {
	cy := c.year(y)
	if cy == nil {
		return CalendarYear{}, false
	}
	out := cy.data
	out.Holidays = slices.Clone(cy.data.Holidays)
	out.Workdays = slices.Clone(cy.data.Workdays)
	return out, true
}

func (c *Calendar) year(y int) *calendarYear {
	if c == nil {
		return nil
	}
	return c.years[y]
}

// unknownYear is the calendar_year_unknown refusal for year y.
func unknownYear(y int) *Error {
	return Errorf(CodeCalendarYearUnknown,
		fmt.Sprintf("工作日历缺少%d年的节假日安排，请管理员先导入该年度日历", y),
		fmt.Sprintf("The working-day calendar has no holiday arrangements for %d; an administrator must import that year's calendar first", y))
}

// IsWorkday reports whether the calendar date of d is a working day (工作日):
// Monday–Friday and not a holiday, or an adjusted workday (调休上班) even on a
// weekend. A date in a year that is not loaded returns a
// calendar_year_unknown *Error.
func (c *Calendar) IsWorkday(d time.Time) (bool, error) {
	y, m, day := d.Date()
	cy := c.year(y)
	if cy == nil {
		return false, unknownYear(y)
	}
	date := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	switch cy.days[date.YearDay()] {
	case dayHoliday:
		return false, nil
	case dayWorkday:
		return true, nil
	}
	wd := date.Weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

// AddWorkdays returns the date of the n-th working day after the calendar
// date of from, at 00:00 UTC. The from day itself does not count, whether or
// not it is a working day (Art. 26: "不少于7个工作日" counts from the day after
// the submission). A negative n counts backwards (the |n|-th working day
// before from); n == 0 returns the date of from. Crossing into a year that is
// not loaded returns a calendar_year_unknown *Error.
func (c *Calendar) AddWorkdays(from time.Time, n int) (time.Time, error) {
	d := calendarDate(from)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		ok, err := c.IsWorkday(d)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			n--
		}
	}
	return d, nil
}
