package seeds

import (
	"slices"
	"testing"

	"decisiond/workflow"
)

// days lists the given dates plus every date of the inclusive ranges
// ("MM-DD…MM-DD" pairs) in year y.
func days(t *testing.T, ranges ...[2]string) []string {
	t.Helper()
	var out []string
	for _, r := range ranges {
		a, err := workflow.ParseDate(r[0])
		if err != nil {
			t.Fatal(err)
		}
		b, err := workflow.ParseDate(r[1])
		if err != nil {
			t.Fatal(err)
		}
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			out = append(out, workflow.FormatDate(d))
		}
	}
	return out
}

// The built-in 2025 and 2026 years equal the State Council General Office
// notices as tabulated in reference/cn-public-holidays.md.
func TestBuiltinCalendarYears_MatchOfficialNotices2025And2026(t *testing.T) {
	want := map[int]workflow.CalendarYear{
		2025: {
			Year: 2025,
			Holidays: days(t,
				[2]string{"2025-01-01", "2025-01-01"}, // 元旦
				[2]string{"2025-01-28", "2025-02-04"}, // 春节
				[2]string{"2025-04-04", "2025-04-06"}, // 清明节
				[2]string{"2025-05-01", "2025-05-05"}, // 劳动节
				[2]string{"2025-05-31", "2025-06-02"}, // 端午节
				[2]string{"2025-10-01", "2025-10-08"}, // 国庆节、中秋节
			),
			Workdays: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
		},
		2026: {
			Year: 2026,
			Holidays: days(t,
				[2]string{"2026-01-01", "2026-01-03"}, // 元旦
				[2]string{"2026-02-15", "2026-02-23"}, // 春节
				[2]string{"2026-04-04", "2026-04-06"}, // 清明节
				[2]string{"2026-05-01", "2026-05-05"}, // 劳动节
				[2]string{"2026-06-19", "2026-06-21"}, // 端午节
				[2]string{"2026-09-25", "2026-09-27"}, // 中秋节
				[2]string{"2026-10-01", "2026-10-07"}, // 国庆节
			),
			Workdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
		},
	}
	got := map[int]workflow.CalendarYear{}
	for _, y := range BuiltinCalendarYears() {
		got[y.Year] = y
	}
	for year, w := range want {
		g, ok := got[year]
		if !ok {
			t.Fatalf("year %d missing", year)
		}
		if !slices.Equal(g.Holidays, w.Holidays) {
			t.Errorf("%d holidays:\n got %v\nwant %v", year, g.Holidays, w.Holidays)
		}
		if !slices.Equal(g.Workdays, w.Workdays) {
			t.Errorf("%d workdays:\n got %v\nwant %v", year, g.Workdays, w.Workdays)
		}
		if g.Source != BuiltinCalendarSource {
			t.Errorf("%d source = %q", year, g.Source)
		}
	}
}

// Every built-in year 2019–2027 is present, validates, holds only its own
// days, and the whole set builds a calendar.
func TestBuiltinCalendarYears_AllValidate(t *testing.T) {
	years := BuiltinCalendarYears()
	var got []int
	for _, y := range years {
		got = append(got, y.Year)
		if err := y.Validate(); err != nil {
			t.Errorf("year %d: %v", y.Year, err)
		}
		if len(y.Holidays) < 11 {
			t.Errorf("year %d: only %d holidays", y.Year, len(y.Holidays))
		}
	}
	wantYears := []int{2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027}
	if !slices.Equal(got, wantYears) {
		t.Fatalf("years = %v, want %v", got, wantYears)
	}
	c, err := workflow.NewCalendar(years...)
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	if !slices.Equal(c.Years(), wantYears) {
		t.Errorf("calendar years = %v", c.Years())
	}
	// Art. 26 example across the built-in data: submitted 2026-09-29, due 2026-10-14.
	from, _ := workflow.ParseDate("2026-09-29")
	due, err := c.AddWorkdays(from, 7)
	if err != nil || workflow.FormatDate(due) != "2026-10-14" {
		t.Errorf("AddWorkdays(2026-09-29, 7) = %s, %v", workflow.FormatDate(due), err)
	}
	// A day lunar-go files under the next year's New Year stays in its own year:
	// 2023-12-30 (Sat) was a day off for New Year 2024.
	if y, _ := c.Year(2023); !slices.Contains(y.Holidays, "2023-12-30") {
		t.Error("2023-12-30 missing from 2023")
	}
	if y, _ := c.Year(2024); slices.Contains(y.Holidays, "2023-12-30") {
		t.Error("2023-12-30 listed under 2024")
	}
}
