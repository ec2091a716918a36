package seeds

import (
	"fmt"
	"slices"

	"github.com/6tail/lunar-go/HolidayUtil"

	"decisiond/workflow"
)

// Built-in calendar years: the official holiday arrangements carried by
// lunar-go. Later years are loaded by an administrator as data.
const (
	BuiltinCalendarFirstYear = 2019
	BuiltinCalendarLastYear  = 2027
	BuiltinCalendarSource    = "lunar-go HolidayUtil v1.4.7 (国务院办公厅节假日安排通知)"
)

// BuiltinCalendarYears returns the official holidays and adjusted workdays
// (调休上班) of every year from 2019 to 2027, from lunar-go's HolidayUtil.
// Each year holds only the days that fall in it: lunar-go ties a day to its
// festival (2025-12-31 could belong to the 2026 New Year), but the calendar
// groups days by their own year.
func BuiltinCalendarYears() []workflow.CalendarYear {
	years := make([]workflow.CalendarYear, 0, BuiltinCalendarLastYear-BuiltinCalendarFirstYear+1)
	for y := BuiltinCalendarFirstYear; y <= BuiltinCalendarLastYear; y++ {
		cy := workflow.CalendarYear{Year: y, Holidays: []string{}, Workdays: []string{}, Source: BuiltinCalendarSource}
		prefix := fmt.Sprintf("%04d-", y)
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			day := h.GetDay()
			if len(day) != len("2006-01-02") || day[:5] != prefix {
				continue // not a day of this year
			}
			if h.IsWork() {
				cy.Workdays = append(cy.Workdays, day)
			} else {
				cy.Holidays = append(cy.Holidays, day)
			}
		}
		slices.Sort(cy.Holidays)
		cy.Holidays = slices.Compact(cy.Holidays)
		slices.Sort(cy.Workdays)
		cy.Workdays = slices.Compact(cy.Workdays)
		years = append(years, cy)
	}
	return years
}
