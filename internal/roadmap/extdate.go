package roadmap

import (
	"fmt"
	"time"
)

// These are the resolutions of an external release date, from a specific day
// (sync and exact) to a whole fiscal year.
const (
	ResolutionSync    = "sync"
	ResolutionExact   = "exact"
	ResolutionWeek    = "week"
	ResolutionMonth   = "month"
	ResolutionQuarter = "quarter"
	ResolutionHalf    = "half"
	ResolutionYear    = "year"
)

// ValidResolution reports whether r is one of the seven resolutions.
func ValidResolution(r string) bool {
	switch r {
	case ResolutionSync, ResolutionExact, ResolutionWeek, ResolutionMonth,
		ResolutionQuarter, ResolutionHalf, ResolutionYear:
		return true
	}
	return false
}

// DescribeExternalDate renders d (a calendar date; only its year, month, day
// count) at resolution r with fiscal year start month fyStart. A fiscal year
// is named after the calendar year in which it ends, and fyStart outside
// 1..12 is taken as 1 (January). The renderings are "Feb 5, 2025" for exact
// and sync, "Week of Feb 3, 2025" for week (the Monday on or before d),
// "February FY25" for month, "Q1 FY25" for quarter, "H1 FY25" for half and
// "FY25" for year. An unknown resolution renders like exact.
func DescribeExternalDate(d time.Time, r string, fyStart int) string {
	y, m, day := d.Date()
	date := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	if fyStart < 1 || fyStart > 12 {
		fyStart = 1
	}
	offset := (int(m) - fyStart + 12) % 12
	fiscalYear := y
	if fyStart > 1 && int(m) >= fyStart {
		fiscalYear = y + 1
	}
	fy := fmt.Sprintf("FY%02d", (fiscalYear%100+100)%100)

	switch r {
	case ResolutionWeek:
		back := (int(date.Weekday()) + 6) % 7
		return "Week of " + date.AddDate(0, 0, -back).Format("Jan 2, 2006")
	case ResolutionMonth:
		return m.String() + " " + fy
	case ResolutionQuarter:
		return fmt.Sprintf("Q%d %s", offset/3+1, fy)
	case ResolutionHalf:
		return fmt.Sprintf("H%d %s", offset/6+1, fy)
	case ResolutionYear:
		return fy
	default:
		return date.Format("Jan 2, 2006")
	}
}

// ParseDate parses a YYYY-MM-DD calendar date strictly (impossible dates such
// as 2025-02-30 are errors) and returns it at midnight UTC. Only exactly ten
// characters are accepted, with years 0001 to 9999. Errors are *Error values
// with code EINVALID about the given field.
func ParseDate(field, s string) (time.Time, error) {
	invalid := func() error {
		return &Error{
			Code:    EINVALID,
			Field:   field,
			Message: fmt.Sprintf("%s %q is not a valid date (YYYY-MM-DD)", field, s),
		}
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, invalid()
	}
	number := func(part string) (int, bool) {
		n := 0
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, okY := number(s[0:4])
	m, okM := number(s[5:7])
	d, okD := number(s[8:10])
	if !okY || !okM || !okD || y < 1 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, invalid()
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, invalid()
	}
	return t, nil
}

// DefaultReleaseDate returns the last day of the month after the month of now
// (UTC), at midnight UTC.
func DefaultReleaseDate(now time.Time) time.Time {
	y, m, _ := now.UTC().Date()
	return time.Date(y, m+2, 0, 0, 0, 0, 0, time.UTC)
}
