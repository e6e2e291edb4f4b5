package roadmap

import (
	"errors"
	"testing"
	"time"
)

func extdateYMD(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestValidResolution(t *testing.T) {
	tests := []struct {
		r    string
		want bool
	}{
		{ResolutionSync, true},
		{ResolutionExact, true},
		{ResolutionWeek, true},
		{ResolutionMonth, true},
		{ResolutionQuarter, true},
		{ResolutionHalf, true},
		{ResolutionYear, true},
		{"", false},
		{"day", false},
		{"Exact", false},
		{"quarterly", false},
		{" week", false},
	}
	for _, tt := range tests {
		if got := ValidResolution(tt.r); got != tt.want {
			t.Errorf("ValidResolution(%q) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

func TestDescribeExternalDate(t *testing.T) {
	tests := []struct {
		name    string
		d       time.Time
		r       string
		fyStart int
		want    string
	}{
		{"exact", extdateYMD(2025, 2, 5), ResolutionExact, 1, "Feb 5, 2025"},
		{"exact two-digit day", extdateYMD(2025, 12, 31), ResolutionExact, 1, "Dec 31, 2025"},
		{"exact ignores fiscal year", extdateYMD(2025, 11, 5), ResolutionExact, 10, "Nov 5, 2025"},
		{"exact leap day", extdateYMD(2024, 2, 29), ResolutionExact, 1, "Feb 29, 2024"},
		{"sync", extdateYMD(2025, 2, 5), ResolutionSync, 1, "Feb 5, 2025"},
		{"unknown resolution", extdateYMD(2025, 2, 5), "fortnight", 1, "Feb 5, 2025"},
		{"empty resolution", extdateYMD(2025, 2, 5), "", 1, "Feb 5, 2025"},

		{"week on monday", extdateYMD(2025, 2, 3), ResolutionWeek, 1, "Week of Feb 3, 2025"},
		{"week on wednesday", extdateYMD(2025, 2, 5), ResolutionWeek, 1, "Week of Feb 3, 2025"},
		{"week on sunday", extdateYMD(2025, 2, 9), ResolutionWeek, 1, "Week of Feb 3, 2025"},
		{"week on next monday", extdateYMD(2025, 2, 10), ResolutionWeek, 1, "Week of Feb 10, 2025"},
		{"week crosses month", extdateYMD(2025, 3, 1), ResolutionWeek, 1, "Week of Feb 24, 2025"},
		{"week crosses year", extdateYMD(2025, 1, 1), ResolutionWeek, 1, "Week of Dec 30, 2024"},
		{"week crosses year on sunday", extdateYMD(2023, 1, 1), ResolutionWeek, 1, "Week of Dec 26, 2022"},
		{"week after leap day", extdateYMD(2024, 3, 2), ResolutionWeek, 1, "Week of Feb 26, 2024"},
		{"week ignores fiscal year", extdateYMD(2025, 1, 1), ResolutionWeek, 10, "Week of Dec 30, 2024"},

		{"month", extdateYMD(2025, 2, 5), ResolutionMonth, 1, "February FY25"},
		{"month december", extdateYMD(2025, 12, 31), ResolutionMonth, 1, "December FY25"},
		{"month F10 before start", extdateYMD(2025, 9, 30), ResolutionMonth, 10, "September FY25"},
		{"month F10 at start", extdateYMD(2024, 10, 1), ResolutionMonth, 10, "October FY25"},
		{"month F10 after start", extdateYMD(2024, 11, 15), ResolutionMonth, 10, "November FY25"},
		{"month F4 before start", extdateYMD(2025, 3, 31), ResolutionMonth, 4, "March FY25"},
		{"month F4 at start", extdateYMD(2025, 4, 1), ResolutionMonth, 4, "April FY26"},
		{"month F12 december", extdateYMD(2024, 12, 1), ResolutionMonth, 12, "December FY25"},
		{"month F12 november", extdateYMD(2024, 11, 30), ResolutionMonth, 12, "November FY24"},

		{"year F1 first day", extdateYMD(2025, 1, 1), ResolutionYear, 1, "FY25"},
		{"year F1 last day", extdateYMD(2025, 12, 31), ResolutionYear, 1, "FY25"},
		{"year F4 march", extdateYMD(2025, 3, 31), ResolutionYear, 4, "FY25"},
		{"year F4 april", extdateYMD(2025, 4, 1), ResolutionYear, 4, "FY26"},
		{"year F10 september", extdateYMD(2025, 9, 30), ResolutionYear, 10, "FY25"},
		{"year F10 october", extdateYMD(2024, 10, 1), ResolutionYear, 10, "FY25"},
		{"year F12 november", extdateYMD(2025, 11, 30), ResolutionYear, 12, "FY25"},
		{"year F12 december", extdateYMD(2025, 12, 1), ResolutionYear, 12, "FY26"},
		{"year single digit", extdateYMD(2005, 6, 1), ResolutionYear, 1, "FY05"},
		{"year 2000", extdateYMD(2000, 6, 1), ResolutionYear, 1, "FY00"},
		{"year 2100", extdateYMD(2100, 6, 1), ResolutionYear, 1, "FY00"},
		{"year rolls into next century", extdateYMD(2099, 10, 1), ResolutionYear, 10, "FY00"},
		{"year 9999 rolls over", extdateYMD(9999, 12, 31), ResolutionYear, 12, "FY00"},

		{"quarter F1 Q1 start", extdateYMD(2025, 1, 1), ResolutionQuarter, 1, "Q1 FY25"},
		{"quarter F1 Q1 end", extdateYMD(2025, 3, 31), ResolutionQuarter, 1, "Q1 FY25"},
		{"quarter F1 Q2 start", extdateYMD(2025, 4, 1), ResolutionQuarter, 1, "Q2 FY25"},
		{"quarter F1 Q2 end", extdateYMD(2025, 6, 30), ResolutionQuarter, 1, "Q2 FY25"},
		{"quarter F1 Q3 start", extdateYMD(2025, 7, 1), ResolutionQuarter, 1, "Q3 FY25"},
		{"quarter F1 Q3 end", extdateYMD(2025, 9, 30), ResolutionQuarter, 1, "Q3 FY25"},
		{"quarter F1 Q4 start", extdateYMD(2025, 10, 1), ResolutionQuarter, 1, "Q4 FY25"},
		{"quarter F1 Q4 end", extdateYMD(2025, 12, 31), ResolutionQuarter, 1, "Q4 FY25"},
		{"quarter F4 Q1", extdateYMD(2025, 4, 1), ResolutionQuarter, 4, "Q1 FY26"},
		{"quarter F4 Q2", extdateYMD(2025, 7, 1), ResolutionQuarter, 4, "Q2 FY26"},
		{"quarter F4 Q3", extdateYMD(2025, 12, 31), ResolutionQuarter, 4, "Q3 FY26"},
		{"quarter F4 Q4", extdateYMD(2026, 1, 1), ResolutionQuarter, 4, "Q4 FY26"},
		{"quarter F4 Q4 end", extdateYMD(2026, 3, 31), ResolutionQuarter, 4, "Q4 FY26"},
		{"quarter F10 Q1", extdateYMD(2024, 10, 1), ResolutionQuarter, 10, "Q1 FY25"},
		{"quarter F10 Q1 end", extdateYMD(2024, 12, 31), ResolutionQuarter, 10, "Q1 FY25"},
		{"quarter F10 Q2", extdateYMD(2025, 1, 1), ResolutionQuarter, 10, "Q2 FY25"},
		{"quarter F10 Q3", extdateYMD(2025, 4, 1), ResolutionQuarter, 10, "Q3 FY25"},
		{"quarter F10 Q4", extdateYMD(2025, 7, 1), ResolutionQuarter, 10, "Q4 FY25"},
		{"quarter F10 Q4 end", extdateYMD(2025, 9, 30), ResolutionQuarter, 10, "Q4 FY25"},
		{"quarter F12 Q1", extdateYMD(2024, 12, 1), ResolutionQuarter, 12, "Q1 FY25"},
		{"quarter F12 Q1 end", extdateYMD(2025, 2, 28), ResolutionQuarter, 12, "Q1 FY25"},
		{"quarter F12 Q2", extdateYMD(2025, 3, 1), ResolutionQuarter, 12, "Q2 FY25"},
		{"quarter F12 Q4", extdateYMD(2025, 11, 30), ResolutionQuarter, 12, "Q4 FY25"},

		{"half F1 H1 start", extdateYMD(2025, 1, 1), ResolutionHalf, 1, "H1 FY25"},
		{"half F1 H1 end", extdateYMD(2025, 6, 30), ResolutionHalf, 1, "H1 FY25"},
		{"half F1 H2 start", extdateYMD(2025, 7, 1), ResolutionHalf, 1, "H2 FY25"},
		{"half F1 H2 end", extdateYMD(2025, 12, 31), ResolutionHalf, 1, "H2 FY25"},
		{"half F4 H1", extdateYMD(2025, 4, 1), ResolutionHalf, 4, "H1 FY26"},
		{"half F4 H1 end", extdateYMD(2025, 9, 30), ResolutionHalf, 4, "H1 FY26"},
		{"half F4 H2", extdateYMD(2025, 10, 1), ResolutionHalf, 4, "H2 FY26"},
		{"half F4 H2 end", extdateYMD(2026, 3, 31), ResolutionHalf, 4, "H2 FY26"},
		{"half F10 H1", extdateYMD(2024, 10, 1), ResolutionHalf, 10, "H1 FY25"},
		{"half F10 H1 end", extdateYMD(2025, 3, 31), ResolutionHalf, 10, "H1 FY25"},
		{"half F10 H2", extdateYMD(2025, 4, 1), ResolutionHalf, 10, "H2 FY25"},
		{"half F10 H2 end", extdateYMD(2025, 9, 30), ResolutionHalf, 10, "H2 FY25"},
		{"half F12 H1", extdateYMD(2024, 12, 1), ResolutionHalf, 12, "H1 FY25"},
		{"half F12 H2", extdateYMD(2025, 6, 1), ResolutionHalf, 12, "H2 FY25"},
		{"half F12 H2 end", extdateYMD(2025, 11, 30), ResolutionHalf, 12, "H2 FY25"},

		{"fiscal start zero is january", extdateYMD(2024, 11, 15), ResolutionQuarter, 0, "Q4 FY24"},
		{"fiscal start negative is january", extdateYMD(2024, 11, 15), ResolutionYear, -3, "FY24"},
		{"fiscal start 13 is january", extdateYMD(2024, 11, 15), ResolutionMonth, 13, "November FY24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescribeExternalDate(tt.d, tt.r, tt.fyStart); got != tt.want {
				t.Errorf("DescribeExternalDate(%s, %q, %d) = %q, want %q", tt.d.Format(time.DateOnly), tt.r, tt.fyStart, got, tt.want)
			}
		})
	}
}

func TestDescribeExternalDateUsesCalendarDate(t *testing.T) {
	tokyo := time.FixedZone("UTC+9", 9*60*60)
	la := time.FixedZone("UTC-8", -8*60*60)
	tests := []struct {
		name string
		d    time.Time
		r    string
		want string
	}{
		{"late in the day", time.Date(2025, 2, 5, 23, 59, 59, 0, time.UTC), ResolutionExact, "Feb 5, 2025"},
		{"east of UTC", time.Date(2025, 1, 1, 1, 0, 0, 0, tokyo), ResolutionYear, "FY25"},
		{"west of UTC", time.Date(2024, 12, 31, 20, 0, 0, 0, la), ResolutionExact, "Dec 31, 2024"},
		{"week west of UTC", time.Date(2024, 12, 29, 20, 0, 0, 0, la), ResolutionWeek, "Week of Dec 23, 2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescribeExternalDate(tt.d, tt.r, 1); got != tt.want {
				t.Errorf("DescribeExternalDate(%v, %q, 1) = %q, want %q", tt.d, tt.r, got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		s    string
		want time.Time
	}{
		{"2025-02-05", extdateYMD(2025, 2, 5)},
		{"2025-01-01", extdateYMD(2025, 1, 1)},
		{"2025-12-31", extdateYMD(2025, 12, 31)},
		{"2024-02-29", extdateYMD(2024, 2, 29)},
		{"2000-02-29", extdateYMD(2000, 2, 29)},
		{"2025-02-28", extdateYMD(2025, 2, 28)},
		{"2025-04-30", extdateYMD(2025, 4, 30)},
		{"0001-01-01", extdateYMD(1, 1, 1)},
		{"9999-12-31", extdateYMD(9999, 12, 31)},
	}
	for _, tt := range tests {
		got, err := ParseDate("start_date", tt.s)
		if err != nil {
			t.Errorf("ParseDate(%q) error: %v", tt.s, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	tests := []struct {
		name string
		s    string
	}{
		{"empty", ""},
		{"impossible day", "2025-02-30"},
		{"february 29 in common year", "2025-02-29"},
		{"february 29 in century year", "1900-02-29"},
		{"april 31", "2025-04-31"},
		{"day zero", "2025-01-00"},
		{"day 32", "2025-01-32"},
		{"month zero", "2025-00-10"},
		{"month 13", "2025-13-01"},
		{"year zero", "0000-01-01"},
		{"single-digit month", "2025-2-05"},
		{"single-digit day", "2025-02-5"},
		{"five-digit year", "12025-02-05"},
		{"two-digit year", "25-02-05"},
		{"slashes", "2025/02/05"},
		{"no separators", "20250205xx"},
		{"leading space", " 2025-02-05"},
		{"trailing space", "2025-02-05 "},
		{"time part", "2025-02-05T00:00:00Z"},
		{"signed month", "2025-+2-05"},
		{"signed year", "-025-02-05"},
		{"letters", "abcd-ef-gh"},
		{"day month year", "05-02-2025"},
		{"full-width digit", "2025-02-０5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate("start_date", tt.s)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want an error", tt.s, got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseDate(%q) error %T %v, want *Error", tt.s, err, err)
			}
			want := `start_date "` + tt.s + `" is not a valid date (YYYY-MM-DD)`
			if e.Code != EINVALID || e.Field != "start_date" || e.Message != want {
				t.Errorf("ParseDate(%q) error = {%q, %q, %q}, want {%q, %q, %q}", tt.s, e.Code, e.Field, e.Message, EINVALID, "start_date", want)
			}
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) time on error = %v, want zero", tt.s, got)
			}
		})
	}
}

func TestParseDateField(t *testing.T) {
	_, err := ParseDate("external_release_date", "2025-02-30")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	want := `external_release_date "2025-02-30" is not a valid date (YYYY-MM-DD)`
	if e.Field != "external_release_date" || e.Message != want {
		t.Errorf("error = {%q, %q}, want {%q, %q}", e.Field, e.Message, "external_release_date", want)
	}
}

func TestDefaultReleaseDate(t *testing.T) {
	tokyo := time.FixedZone("UTC+9", 9*60*60)
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"end of january to february", time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC), extdateYMD(2025, 2, 28)},
		{"leap february", time.Date(2024, 1, 15, 8, 30, 0, 0, time.UTC), extdateYMD(2024, 2, 29)},
		{"december to next january", time.Date(2025, 12, 10, 0, 0, 0, 0, time.UTC), extdateYMD(2026, 1, 31)},
		{"november to december", time.Date(2025, 11, 30, 23, 59, 59, 0, time.UTC), extdateYMD(2025, 12, 31)},
		{"february to march", time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), extdateYMD(2025, 3, 31)},
		{"march to april", time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), extdateYMD(2025, 4, 30)},
		{"century year february", time.Date(2100, 1, 5, 0, 0, 0, 0, time.UTC), extdateYMD(2100, 2, 28)},
		{"converted to UTC first", time.Date(2025, 1, 1, 5, 0, 0, 0, tokyo), extdateYMD(2025, 1, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultReleaseDate(tt.now)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("DefaultReleaseDate(%v) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}
