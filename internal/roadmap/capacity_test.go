package roadmap

import (
	"errors"
	"strings"
	"testing"
)

func TestValidCapacityUnits(t *testing.T) {
	tests := []struct {
		units string
		want  bool
	}{
		{CapacityTime, true},
		{CapacityStoryPoints, true},
		{"", false},
		{"Time", false},
		{"points", false},
		{"story points", false},
		{" time", false},
	}
	for _, tt := range tests {
		if got := ValidCapacityUnits(tt.units); got != tt.want {
			t.Errorf("ValidCapacityUnits(%q) = %v, want %v", tt.units, got, tt.want)
		}
	}
}

func TestParseCapacity(t *testing.T) {
	tests := []struct {
		name      string
		units     string
		text      string
		wantTotal float64
		wantUnits string
	}{
		{"minutes", CapacityTime, "30min", 30, CapacityTime},
		{"hours", CapacityTime, "2h", 120, CapacityTime},
		{"days", CapacityTime, "1d", 480, CapacityTime},
		{"weeks", CapacityTime, "1w", 2400, CapacityTime},
		{"months", CapacityTime, "1m", 10560, CapacityTime},
		{"days and hours", CapacityTime, "2d 1h", 1020, CapacityTime},
		{"all time units", CapacityTime, "1m 1w 1d 1h 1min", 10560 + 2400 + 480 + 60 + 1, CapacityTime},
		{"no space between terms", CapacityTime, "2d1h", 1020, CapacityTime},
		{"space between number and unit", CapacityTime, "2 d 1 h", 1020, CapacityTime},
		{"min after m without space", CapacityTime, "1m30min", 10590, CapacityTime},
		{"m is month, not minute", CapacityTime, "2m", 21120, CapacityTime},
		{"upper case units", CapacityTime, "2D 1H 30MIN", 1050, CapacityTime},
		{"mixed case min", CapacityTime, "5Min", 5, CapacityTime},
		{"upper case month", CapacityTime, "1M", 10560, CapacityTime},
		{"leading and trailing space", CapacityTime, "  9h\t", 540, CapacityTime},
		{"tabs and newlines", CapacityTime, "1d\n1h\t1min", 541, CapacityTime},
		{"decimal hours", CapacityTime, "1.5h", 90, CapacityTime},
		{"decimal days", CapacityTime, "0.5d", 240, CapacityTime},
		{"leading dot", CapacityTime, ".5h", 30, CapacityTime},
		{"trailing dot", CapacityTime, "2.h", 120, CapacityTime},
		{"repeated unit adds up", CapacityTime, "1h 1h", 120, CapacityTime},
		{"zero", CapacityTime, "0min", 0, CapacityTime},
		{"zero hours", CapacityTime, "0h", 0, CapacityTime},
		{"rounds down to whole minute", CapacityTime, "1.4min", 1, CapacityTime},
		{"rounds half up to whole minute", CapacityTime, "1.5min", 2, CapacityTime},
		{"rounds the sum, not each term", CapacityTime, "0.5min 0.5min", 1, CapacityTime},
		{"tiny fraction rounds to zero", CapacityTime, "0.001h", 0, CapacityTime},
		{"fraction of hour rounds", CapacityTime, "0.01h", 1, CapacityTime},
		{"points", CapacityStoryPoints, "4p", 4, CapacityStoryPoints},
		{"points upper case", CapacityStoryPoints, "4P", 4, CapacityStoryPoints},
		{"decimal points", CapacityStoryPoints, "0.5p", 0.5, CapacityStoryPoints},
		{"points with space", CapacityStoryPoints, "3 p", 3, CapacityStoryPoints},
		{"points add up", CapacityStoryPoints, "2p 3p", 5, CapacityStoryPoints},
		{"points add up exactly", CapacityStoryPoints, "0.1p 0.2p", 0.3, CapacityStoryPoints},
		{"points not rounded", CapacityStoryPoints, "1.25p", 1.25, CapacityStoryPoints},
		{"zero points", CapacityStoryPoints, "0p", 0, CapacityStoryPoints},
		{"inferred time", "", "2d 1h", 1020, CapacityTime},
		{"inferred points", "", "4p", 4, CapacityStoryPoints},
		{"inferred decimal points", "", "2.5p", 2.5, CapacityStoryPoints},
		{"inferred minutes", "", "45min", 45, CapacityTime},
		{"largest total", CapacityStoryPoints, "9007199254740992p", 9007199254740992, CapacityStoryPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, units, err := ParseCapacity(tt.units, tt.text)
			if err != nil {
				t.Fatalf("ParseCapacity(%q, %q) error: %v", tt.units, tt.text, err)
			}
			if total != tt.wantTotal || units != tt.wantUnits {
				t.Errorf("ParseCapacity(%q, %q) = %v, %q, want %v, %q", tt.units, tt.text, total, units, tt.wantTotal, tt.wantUnits)
			}
		})
	}
}

func TestParseCapacityErrors(t *testing.T) {
	const help = "use min, h, d, w, m (time) or p (story points)"
	tests := []struct {
		name      string
		units     string
		text      string
		wantField string
		wantMsg   string
	}{
		{"empty", CapacityTime, "", "total_capacity_text",
			`total_capacity_text "" is empty: give a capacity such as "2d 1h" (time) or "4p" (story points)`},
		{"whitespace only", "", " \t\n", "total_capacity_text",
			`total_capacity_text " \t\n" is empty: give a capacity such as "2d 1h" (time) or "4p" (story points)`},
		{"unknown unit", "", "3x", "total_capacity_text",
			`total_capacity_text "3x" is not a capacity: ` + help},
		{"unknown unit with time units", CapacityTime, "3x", "total_capacity_text",
			`total_capacity_text "3x" is not a capacity: ` + help},
		{"unit spelled out", CapacityTime, "2 hours", "total_capacity_text",
			`total_capacity_text "2 hours" is not a capacity: ` + help},
		{"minutes spelled out", CapacityTime, "5mins", "total_capacity_text",
			`total_capacity_text "5mins" is not a capacity: ` + help},
		{"doubled unit letters", CapacityTime, "2dd", "total_capacity_text",
			`total_capacity_text "2dd" is not a capacity: ` + help},
		{"bare number", CapacityTime, "3", "total_capacity_text",
			`total_capacity_text "3" is not a capacity: "3" has no unit; ` + help},
		{"bare number after term", CapacityTime, "2d 3", "total_capacity_text",
			`total_capacity_text "2d 3" is not a capacity: "3" has no unit; ` + help},
		{"bare number before term", CapacityTime, "2 3d", "total_capacity_text",
			`total_capacity_text "2 3d" is not a capacity: "2" has no unit; ` + help},
		{"bare decimal", "", "1.5", "total_capacity_text",
			`total_capacity_text "1.5" is not a capacity: "1.5" has no unit; ` + help},
		{"unit without number", CapacityTime, "h", "total_capacity_text",
			`total_capacity_text "h" is not a capacity: ` + help},
		{"unit without number after term", CapacityTime, "2d h", "total_capacity_text",
			`total_capacity_text "2d h" is not a capacity: ` + help},
		{"word", "", "soon", "total_capacity_text",
			`total_capacity_text "soon" is not a capacity: ` + help},
		{"two dots", CapacityTime, "1.2.3h", "total_capacity_text",
			`total_capacity_text "1.2.3h" is not a capacity: ` + help},
		{"dot only", CapacityTime, ".h", "total_capacity_text",
			`total_capacity_text ".h" is not a capacity: ` + help},
		{"decimal comma", CapacityTime, "1,5h", "total_capacity_text",
			`total_capacity_text "1,5h" is not a capacity: ` + help},
		{"punctuation after number", CapacityTime, "3!", "total_capacity_text",
			`total_capacity_text "3!" is not a capacity: ` + help},
		{"plus sign", CapacityTime, "+2d", "total_capacity_text",
			`total_capacity_text "+2d" is not a capacity: ` + help},
		{"exponent", CapacityTime, "1e3h", "total_capacity_text",
			`total_capacity_text "1e3h" is not a capacity: ` + help},
		{"fraction", CapacityStoryPoints, "1/2p", "total_capacity_text",
			`total_capacity_text "1/2p" is not a capacity: ` + help},
		{"comma separated", CapacityTime, "2d, 1h", "total_capacity_text",
			`total_capacity_text "2d, 1h" is not a capacity: ` + help},
		{"lone minus", CapacityTime, "-", "total_capacity_text",
			`total_capacity_text "-" is not a capacity: ` + help},
		{"negative", CapacityTime, "-2d", "total_capacity_text",
			`total_capacity_text "-2d" is not a capacity: amounts must not be negative`},
		{"negative decimal", CapacityTime, "-.5h", "total_capacity_text",
			`total_capacity_text "-.5h" is not a capacity: amounts must not be negative`},
		{"negative later term", CapacityTime, "2d -1h", "total_capacity_text",
			`total_capacity_text "2d -1h" is not a capacity: amounts must not be negative`},
		{"negative later term without space", CapacityTime, "2d-1h", "total_capacity_text",
			`total_capacity_text "2d-1h" is not a capacity: amounts must not be negative`},
		{"negative points", CapacityStoryPoints, "-4p", "total_capacity_text",
			`total_capacity_text "-4p" is not a capacity: amounts must not be negative`},
		{"mixed inferred", "", "2d 3p", "total_capacity_text",
			`total_capacity_text "2d 3p" mixes time and story points: use either min, h, d, w, m or p`},
		{"mixed in time", CapacityTime, "3p 1h", "total_capacity_text",
			`total_capacity_text "3p 1h" mixes time and story points: use either min, h, d, w, m or p`},
		{"mixed in story points", CapacityStoryPoints, "1min1p", "total_capacity_text",
			`total_capacity_text "1min1p" mixes time and story points: use either min, h, d, w, m or p`},
		{"points for time", CapacityTime, "4p", "total_capacity_text",
			`total_capacity_text "4p" is in story points but capacity_units is time`},
		{"time for points", CapacityStoryPoints, "2d 1h", "total_capacity_text",
			`total_capacity_text "2d 1h" is in time units but capacity_units is story_points`},
		{"month for points", CapacityStoryPoints, "1m", "total_capacity_text",
			`total_capacity_text "1m" is in time units but capacity_units is story_points`},
		{"too many points", CapacityStoryPoints, "9007199254740993p", "total_capacity_text",
			`total_capacity_text "9007199254740993p" is too large`},
		{"too much time", CapacityTime, "1000000000000m", "total_capacity_text",
			`total_capacity_text "1000000000000m" is too large`},
		{"huge number", "", "1" + strings.Repeat("0", 400) + "h", "total_capacity_text",
			`total_capacity_text "1` + strings.Repeat("0", 400) + `h" is too large`},
		{"invalid units", "hours", "2h", "capacity_units",
			`capacity_units "hours" is not valid: use time or story_points`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, units, err := ParseCapacity(tt.units, tt.text)
			if err == nil {
				t.Fatalf("ParseCapacity(%q, %q) = %v, %q, want an error", tt.units, tt.text, total, units)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseCapacity(%q, %q) error %T %v, want *Error", tt.units, tt.text, err, err)
			}
			if e.Code != EINVALID {
				t.Errorf("code = %q, want %q", e.Code, EINVALID)
			}
			if e.Field != tt.wantField {
				t.Errorf("field = %q, want %q", e.Field, tt.wantField)
			}
			if e.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", e.Message, tt.wantMsg)
			}
			if total != 0 || units != "" {
				t.Errorf("results on error = %v, %q, want 0, \"\"", total, units)
			}
		})
	}
}

func TestFormatCapacity(t *testing.T) {
	tests := []struct {
		units string
		total float64
		want  string
	}{
		{CapacityTime, 0, "0min"},
		{CapacityTime, 1, "1min"},
		{CapacityTime, 30, "30min"},
		{CapacityTime, 59, "59min"},
		{CapacityTime, 60, "1h"},
		{CapacityTime, 90, "1h 30min"},
		{CapacityTime, 479, "7h 59min"},
		{CapacityTime, 480, "1d"},
		{CapacityTime, 540, "1d 1h"},
		{CapacityTime, 541, "1d 1h 1min"},
		{CapacityTime, 1020, "2d 1h"},
		{CapacityTime, 2399, "4d 7h 59min"},
		{CapacityTime, 2400, "1w"},
		{CapacityTime, 2880, "1w 1d"},
		{CapacityTime, 10559, "4w 1d 7h 59min"},
		{CapacityTime, 10560, "1m"},
		{CapacityTime, 10561, "1m 1min"},
		{CapacityTime, 13501, "1m 1w 1d 1h 1min"},
		{CapacityTime, 21120, "2m"},
		{CapacityTime, 29.6, "30min"},
		{CapacityTime, 0.4, "0min"},
		{CapacityTime, -90, "-1h 30min"},
		{"", 540, "1d 1h"},
		{CapacityStoryPoints, 0, "0p"},
		{CapacityStoryPoints, 4, "4p"},
		{CapacityStoryPoints, 2.5, "2.5p"},
		{CapacityStoryPoints, 0.25, "0.25p"},
		{CapacityStoryPoints, 13, "13p"},
		{CapacityStoryPoints, 100, "100p"},
		{CapacityStoryPoints, 1e6, "1000000p"},
	}
	for _, tt := range tests {
		if got := FormatCapacity(tt.units, tt.total); got != tt.want {
			t.Errorf("FormatCapacity(%q, %v) = %q, want %q", tt.units, tt.total, got, tt.want)
		}
	}
}

func TestCapacityRoundTrip(t *testing.T) {
	tests := []struct {
		units string
		text  string
		want  string
	}{
		{CapacityTime, "2d 1h", "2d 1h"},
		{CapacityTime, "9h", "1d 1h"},
		{CapacityTime, "1.5h", "1h 30min"},
		{CapacityTime, "2d1h", "2d 1h"},
		{CapacityTime, "1H 60MIN", "2h"},
		{CapacityTime, "5d", "1w"},
		{CapacityTime, "22d", "1m"},
		{CapacityTime, "0.5m", "2w 1d"},
		{CapacityTime, "1m 1w 1d 1h 1min", "1m 1w 1d 1h 1min"},
		{CapacityTime, "0h", "0min"},
		{"", "30min", "30min"},
		{CapacityStoryPoints, "4p", "4p"},
		{CapacityStoryPoints, "2.50p", "2.5p"},
		{CapacityStoryPoints, "0.1p 0.2p", "0.3p"},
		{"", "0p", "0p"},
	}
	for _, tt := range tests {
		total, units, err := ParseCapacity(tt.units, tt.text)
		if err != nil {
			t.Errorf("ParseCapacity(%q, %q) error: %v", tt.units, tt.text, err)
			continue
		}
		got := FormatCapacity(units, total)
		if got != tt.want {
			t.Errorf("FormatCapacity(ParseCapacity(%q, %q)) = %q, want %q", tt.units, tt.text, got, tt.want)
		}
		again, againUnits, err := ParseCapacity(units, got)
		if err != nil || again != total || againUnits != units {
			t.Errorf("ParseCapacity(%q, %q) = %v, %q, %v, want %v, %q, nil", units, got, again, againUnits, err, total, units)
		}
	}
}

func TestFormatCapacityParsesBack(t *testing.T) {
	for minutes := 0; minutes <= 3*10560; minutes += 7 {
		text := FormatCapacity(CapacityTime, float64(minutes))
		total, units, err := ParseCapacity(CapacityTime, text)
		if err != nil || total != float64(minutes) || units != CapacityTime {
			t.Fatalf("ParseCapacity(time, %q) = %v, %q, %v, want %d, time, nil", text, total, units, err, minutes)
		}
	}
	for _, points := range []float64{0, 0.5, 1, 2.5, 3, 8, 13, 20.25, 100} {
		text := FormatCapacity(CapacityStoryPoints, points)
		total, units, err := ParseCapacity("", text)
		if err != nil || total != points || units != CapacityStoryPoints {
			t.Fatalf("ParseCapacity(\"\", %q) = %v, %q, %v, want %v, story_points, nil", text, total, units, err, points)
		}
	}
}
