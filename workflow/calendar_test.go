package workflow

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// span lists every date from first to last inclusive ("YYYY-MM-DD").
func span(t testing.TB, first, last string) []string {
	t.Helper()
	a, b := mustDate(t, first), mustDate(t, last)
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, FormatDate(d))
	}
	return out
}

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// year2025 and year2026 are the State Council General Office notices as
// summarised in reference/cn-public-holidays.md.
func year2025(t testing.TB) CalendarYear {
	return CalendarYear{
		Year: 2025,
		Holidays: slices.Concat(
			[]string{"2025-01-01"},
			span(t, "2025-01-28", "2025-02-04"),
			span(t, "2025-04-04", "2025-04-06"),
			span(t, "2025-05-01", "2025-05-05"),
			span(t, "2025-05-31", "2025-06-02"),
			span(t, "2025-10-01", "2025-10-08"),
		),
		Workdays: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
		Source:   "国办发明电〔2024〕12号",
	}
}

func year2026(t testing.TB) CalendarYear {
	return CalendarYear{
		Year: 2026,
		Holidays: slices.Concat(
			span(t, "2026-01-01", "2026-01-03"),
			span(t, "2026-02-15", "2026-02-23"),
			span(t, "2026-04-04", "2026-04-06"),
			span(t, "2026-05-01", "2026-05-05"),
			span(t, "2026-06-19", "2026-06-21"),
			span(t, "2026-09-25", "2026-09-27"),
			span(t, "2026-10-01", "2026-10-07"),
		),
		Workdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
		Source:   "国务院办公厅2026年部分节假日安排通知",
	}
}

func testCalendar(t testing.TB) *Calendar {
	t.Helper()
	c, err := NewCalendar(year2025(t), year2026(t))
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return c
}

func wantCode(t *testing.T, err error, code string) *Error {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
	e, _ := AsError(err)
	return e
}

// Art. 26 ¶2: the legality review must be given "一般不少于7个工作日"; the
// submission day itself does not count.
func TestAddWorkdays_Art26_NationalDay2026(t *testing.T) {
	c := testCalendar(t)
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		// 09-30 (1), 10-01…10-07 off, 10-08 (2), 10-09 (3), Sat 10-10 adjusted (4),
		// Sun 10-11 off, 10-12 (5), 10-13 (6), 10-14 (7).
		{"submitted 2026-09-29, 7 working days", mustDate(t, "2026-09-29"), 7, "2026-10-14"},
		{"time of day and zone ignored: the date counts", time.Date(2026, 9, 29, 23, 30, 0, 0, cst), 7, "2026-10-14"},
		{"submitted on a holiday", mustDate(t, "2026-10-03"), 1, "2026-10-08"},
		{"submitted on the adjusted Saturday", mustDate(t, "2026-10-10"), 1, "2026-10-12"},
		{"Spring Festival 2026: Fri then adjusted Sat 02-14", mustDate(t, "2026-02-13"), 1, "2026-02-14"},
		{"Spring Festival 2026: 02-15…02-23 off", mustDate(t, "2026-02-14"), 1, "2026-02-24"},
		{"across the year: 2025-12-31, then adjusted Sun 2026-01-04", mustDate(t, "2025-12-30"), 3, "2026-01-05"},
		{"ordinary week", mustDate(t, "2026-03-02"), 7, "2026-03-11"},
		{"n = 0 is the from date", time.Date(2026, 10, 3, 8, 0, 0, 0, cst), 0, "2026-10-03"},
		{"negative n counts backwards", mustDate(t, "2026-10-08"), -1, "2026-09-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.AddWorkdays(tt.from, tt.n)
			if err != nil {
				t.Fatalf("AddWorkdays: %v", err)
			}
			if FormatDate(got) != tt.want {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", FormatDate(tt.from), tt.n, FormatDate(got), tt.want)
			}
			if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 {
				t.Errorf("AddWorkdays returned %v, want 00:00 UTC", got)
			}
		})
	}
}

// PROCEDURE.md § Time: working days come from the official holiday calendar
// with adjusted workdays (调休上班).
func TestIsWorkday_Art26_OfficialArrangements(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-02-14", true, "Saturday, adjusted workday before Spring Festival"},
		{"2026-02-28", true, "Saturday, adjusted workday after Spring Festival"},
		{"2026-10-10", true, "Saturday, adjusted workday after National Day"},
		{"2026-09-20", true, "Sunday, adjusted workday"},
		{"2026-10-05", false, "Monday, National Day holiday"},
		{"2026-10-08", true, "Thursday after National Day"},
		{"2026-10-11", false, "ordinary Sunday"},
		{"2026-06-19", false, "Friday, Dragon Boat holiday"},
		{"2026-03-02", true, "ordinary Monday"},
		{"2026-03-07", false, "ordinary Saturday"},
		{"2025-10-08", false, "Wednesday, National Day + Mid-Autumn 2025"},
		{"2025-10-11", true, "Saturday, adjusted workday 2025"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			got, err := c.IsWorkday(mustDate(t, tt.date))
			if err != nil {
				t.Fatalf("IsWorkday: %v", err)
			}
			if got != tt.want {
				t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tt.date, got, tt.want, tt.why)
			}
		})
	}
}

// cn-public-holidays.md: "a date outside the loaded years must be reported,
// not silently treated as a plain weekday".
func TestCalendar_UnknownYear_NeverGuesses(t *testing.T) {
	c := testCalendar(t)

	_, err := c.IsWorkday(mustDate(t, "2031-03-03"))
	e := wantCode(t, err, CodeCalendarYearUnknown)
	if !strings.Contains(e.ZH, "2031年") || !strings.Contains(e.ZH, "管理员") || !strings.Contains(e.EN, "2031") {
		t.Errorf("message does not name the year and what to do: %s", e.Detail())
	}

	// Art. 26 count running off the end of the loaded years.
	_, err = c.AddWorkdays(mustDate(t, "2026-12-28"), 7)
	e = wantCode(t, err, CodeCalendarYearUnknown)
	if !strings.Contains(e.ZH, "2027年") {
		t.Errorf("want the missing year 2027 named, got %s", e.Detail())
	}

	var nilCal *Calendar
	_, err = nilCal.IsWorkday(mustDate(t, "2026-03-02"))
	wantCode(t, err, CodeCalendarYearUnknown)
	if ys := nilCal.Years(); len(ys) != 0 {
		t.Errorf("nil calendar Years() = %v", ys)
	}

	empty, err := NewCalendar()
	if err != nil {
		t.Fatal(err)
	}
	_, err = empty.AddWorkdays(mustDate(t, "2026-03-02"), 1)
	wantCode(t, err, CodeCalendarYearUnknown)
}

// An administrator's correction overrides the built-in data, without a new
// release (cn-public-holidays.md).
func TestCalendar_With_AdminCorrectionChangesArt26Count(t *testing.T) {
	c := testCalendar(t)
	from := mustDate(t, "2026-09-29")

	corrected := year2026(t)
	corrected.Holidays = append(corrected.Holidays, "2026-10-08") // hypothetical extra day off
	corrected.Source = "管理员更正"
	c2, err := c.With(corrected)
	if err != nil {
		t.Fatalf("With: %v", err)
	}
	got, err := c2.AddWorkdays(from, 7)
	if err != nil {
		t.Fatal(err)
	}
	if FormatDate(got) != "2026-10-15" {
		t.Errorf("corrected calendar: got %s, want 2026-10-15", FormatDate(got))
	}
	// The original calendar is immutable.
	got, err = c.AddWorkdays(from, 7)
	if err != nil || FormatDate(got) != "2026-10-14" {
		t.Errorf("original calendar changed: got %s, %v", FormatDate(got), err)
	}
	if y, _ := c2.Year(2026); y.Source != "管理员更正" {
		t.Errorf("Year(2026).Source = %q", y.Source)
	}

	// Adding a year makes it known.
	y2031 := CalendarYear{Year: 2031, Holidays: []string{"2031-01-01"}, Workdays: []string{}}
	c3, err := c.With(y2031)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c3.IsWorkday(mustDate(t, "2031-01-02")); err != nil || !ok {
		t.Errorf("2031-01-02 after import: %v, %v", ok, err)
	}
	if _, err := c.IsWorkday(mustDate(t, "2031-01-02")); ErrorCode(err) != CodeCalendarYearUnknown {
		t.Errorf("original calendar learned 2031: %v", err)
	}

	// In NewCalendar a later year with the same Year replaces the earlier.
	c4, err := NewCalendar(year2025(t), year2026(t), corrected)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c4.IsWorkday(mustDate(t, "2026-10-08")); ok {
		t.Error("NewCalendar: the later 2026 did not replace the earlier")
	}
	if got := c4.Years(); !slices.Equal(got, []int{2025, 2026}) {
		t.Errorf("Years() = %v", got)
	}

	// An invalid correction is refused and leaves nothing changed.
	if _, err := c.With(CalendarYear{Year: 2026, Holidays: []string{"2026-13-01"}}); ErrorCode(err) != CodeValidationFailed {
		t.Errorf("With(bad) = %v, want validation_failed", err)
	}
}

func TestCalendar_YearReturnsSortedCopy(t *testing.T) {
	y := year2026(t)
	slices.Reverse(y.Holidays)
	c, err := NewCalendar(y)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := c.Year(2026)
	if !ok {
		t.Fatal("Year(2026) not loaded")
	}
	if !slices.IsSorted(got.Holidays) || len(got.Holidays) != 33 || len(got.Workdays) != 6 {
		t.Errorf("Year(2026) = %d holidays (sorted %v), %d workdays", len(got.Holidays), slices.IsSorted(got.Holidays), len(got.Workdays))
	}
	got.Holidays[0] = "2026-03-02"
	if ok, _ := c.IsWorkday(mustDate(t, "2026-01-01")); ok {
		t.Error("mutating the returned year changed the calendar")
	}
	if again, _ := c.Year(2026); again.Holidays[0] != "2026-01-01" {
		t.Errorf("calendar data changed: %s", again.Holidays[0])
	}
	if _, ok := c.Year(2030); ok {
		t.Error("Year(2030) reported loaded")
	}
}

func TestCalendar_ConcurrentReads(t *testing.T) {
	c := testCalendar(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if d, err := c.AddWorkdays(mustDate(t, "2026-09-29"), 7); err != nil || FormatDate(d) != "2026-10-14" {
					t.Errorf("concurrent AddWorkdays = %s, %v", FormatDate(d), err)
					return
				}
				c.Years()
				c.Year(2026)
			}
		}()
	}
	wg.Wait()
}

func TestCalendarYear_Validate_RefusesBadData(t *testing.T) {
	if err := year2025(t).Validate(); err != nil {
		t.Fatalf("2025 notice: %v", err)
	}
	if err := year2026(t).Validate(); err != nil {
		t.Fatalf("2026 notice: %v", err)
	}
	tests := []struct {
		name   string
		year   CalendarYear
		fields []string
	}{
		{"year out of range", CalendarYear{Year: 26, Holidays: []string{"2026-01-01"}}, []string{"year"}},
		{"no holidays at all", CalendarYear{Year: 2026}, []string{"holidays"}},
		{"unparsable holiday", CalendarYear{Year: 2026, Holidays: []string{"2026-1-1", "2026-02-30", "01/10/2026"}},
			[]string{"holidays[0]", "holidays[1]", "holidays[2]"}},
		{"holiday in another year", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01", "2025-12-31"}}, []string{"holidays[1]"}},
		{"duplicate holiday", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01", "2026-01-01"}}, []string{"holidays[1]"}},
		{"workday in another year", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01"}, Workdays: []string{"2025-12-27"}}, []string{"workdays[0]"}},
		{"day both holiday and workday", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01", "2026-01-03"}, Workdays: []string{"2026-01-03"}}, []string{"workdays[0]"}},
		{"workday on a weekday", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01"}, Workdays: []string{"2026-01-05"}}, []string{"workdays[0]"}},
		{"duplicate workday", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01"}, Workdays: []string{"2026-01-04", "2026-01-04"}}, []string{"workdays[1]"}},
		{"unparsable workday", CalendarYear{Year: 2026, Holidays: []string{"2026-01-01"}, Workdays: []string{""}}, []string{"workdays[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantCode(t, tt.year.Validate(), CodeValidationFailed)
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
				if f.ZH == "" || f.EN == "" {
					t.Errorf("field %s lacks a message: %+v", f.Field, f)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}

	// A holiday may fall on a weekend (2026-01-03 is a Saturday).
	if err := (CalendarYear{Year: 2026, Holidays: []string{"2026-01-03"}}).Validate(); err != nil {
		t.Errorf("weekend holiday refused: %v", err)
	}

	// NewCalendar names the year's position in its arguments.
	_, err := NewCalendar(year2025(t), CalendarYear{Year: 2026, Holidays: []string{"2026-01-01"}, Workdays: []string{"2026-01-05"}})
	e := wantCode(t, err, CodeValidationFailed)
	if len(e.Fields) != 1 || e.Fields[0].Field != "years[1].workdays[0]" {
		t.Errorf("NewCalendar fields = %+v", e.Fields)
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-09-29", "2024-02-29", "2026-12-31"} {
		d, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if d.Location() != time.UTC || FormatDate(d) != s {
			t.Errorf("ParseDate(%q) = %v", s, d)
		}
	}
	for _, s := range []string{"", "2026-9-29", "2026-02-29", "2026-09-29T00:00:00Z", " 2026-09-29", "20260929", "２０２６-09-29"} {
		if _, err := ParseDate(s); ErrorCode(err) != CodeValidationFailed {
			t.Errorf("ParseDate(%q) = %v, want validation_failed", s, err)
		}
	}
}

// Art. 15 (comment period ≥ 30 days) and Art. 16 (materials 7 days before a
// hearing) count calendar days.
func TestDaysBetween_Art15CalendarDays(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		a, b time.Time
		want int
	}{
		{mustDate(t, "2026-09-01"), mustDate(t, "2026-10-01"), 30},
		{mustDate(t, "2026-09-01"), mustDate(t, "2026-10-08"), 37}, // PROCEDURE.md example notice
		{mustDate(t, "2026-11-13"), mustDate(t, "2026-11-20"), 7},
		{mustDate(t, "2026-10-08"), mustDate(t, "2026-09-01"), -37},
		{mustDate(t, "2024-02-28"), mustDate(t, "2024-03-01"), 2},
		{mustDate(t, "1969-12-31"), mustDate(t, "1970-01-01"), 1},
		// by date: late evening to early morning is one day
		{time.Date(2026, 9, 1, 23, 59, 0, 0, cst), time.Date(2026, 9, 2, 0, 1, 0, 0, cst), 1},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, cst), time.Date(2026, 9, 1, 23, 0, 0, 0, time.UTC), 0},
	}
	for _, tt := range tests {
		if got := DaysBetween(tt.a, tt.b); got != tt.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", FormatDate(tt.a), FormatDate(tt.b), got, tt.want)
		}
	}
}
