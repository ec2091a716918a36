package workflow

import (
	"fmt"
	"time"
)

// DateLayout is the layout of every date users declare ("YYYY-MM-DD").
const DateLayout = "2006-01-02"

// ParseDate parses a calendar date "YYYY-MM-DD" (exactly that form: four-digit
// year, two-digit month and day, no time and no zone) and returns it at
// 00:00 UTC. A malformed or impossible date (2026-02-30) is a
// validation_failed *Error; callers that know the field name should report it
// as a field error.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || len(s) != len(DateLayout) {
		return time.Time{}, Errorf(CodeValidationFailed,
			fmt.Sprintf("日期“%s”无效，应为YYYY-MM-DD格式的真实日期", s),
			fmt.Sprintf("%q is not a valid date; use YYYY-MM-DD", s))
	}
	return t, nil
}

// FormatDate formats the calendar date of t (its own year, month and day,
// whatever its location) as "YYYY-MM-DD".
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// calendarDate returns the calendar date of t (its own year, month and day,
// whatever its location) at 00:00 UTC. Unlike DateOf it does not convert to
// China time first: a date parsed by ParseDate stays that date.
func calendarDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysBetween returns the number of calendar days from the date of a to the
// date of b (negative when b is earlier). Times of day and locations are
// ignored: DaysBetween(2026-09-01, 2026-10-01) is 30.
func DaysBetween(a, b time.Time) int {
	return int(dayNumber(b) - dayNumber(a))
}

// dayNumber counts days from 1970-01-01 to the calendar date of t. Unlike
// time.Sub it does not saturate for dates far apart.
func dayNumber(t time.Time) int64 {
	return calendarDate(t).Unix() / 86400
}
