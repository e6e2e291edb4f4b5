package roadmap

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// CapacityTime and CapacityStoryPoints are the values of a release's
// capacity_units: capacity measured in time or in story points.
const (
	CapacityTime        = "time"
	CapacityStoryPoints = "story_points"
)

// capacityField is the input field that holds capacity text.
const capacityField = "total_capacity_text"

// capacityUnitHelp lists the accepted units in error messages.
const capacityUnitHelp = "use min, h, d, w, m (time) or p (story points)"

// maxCapacity bounds parsed totals so that every whole number of minutes or
// points up to it is exactly representable as a float64.
const maxCapacity = 1 << 53

// timeUnitMinutes maps each time unit to its length in minutes:
// 1h = 60min, 1d = 8h, 1w = 5d, 1m = 22d.
var timeUnitMinutes = map[string]int64{
	"min": 1,
	"h":   60,
	"d":   8 * 60,
	"w":   5 * 8 * 60,
	"m":   22 * 8 * 60,
}

// timeUnitOrder lists the time units from largest to smallest, as used when
// formatting.
var timeUnitOrder = []string{"m", "w", "d", "h", "min"}

// ValidCapacityUnits reports whether u is "time" or "story_points".
func ValidCapacityUnits(u string) bool {
	return u == CapacityTime || u == CapacityStoryPoints
}

// capacityTerm is one number-unit pair of a capacity text, such as "1.5h".
type capacityTerm struct {
	amount *big.Rat
	unit   string
}

// ParseCapacity parses text in the given units and returns the total:
// minutes for time (rounded to the nearest whole minute), points for story
// points. Units may be "", meaning that they are inferred from the text: a
// text with a p-term is in story points, any other text is in time. It
// returns the units it used. Terms are a non-negative decimal number followed
// by a unit (min, h, d, w, m or p, in any letter case), optionally separated
// from it by whitespace; terms are separated by whitespace or simply follow
// one another, as in "2d1h". Every error is an *Error with code EINVALID
// about the field total_capacity_text, except for units that are neither ""
// nor valid, which are reported against the field capacity_units.
func ParseCapacity(units, text string) (total float64, usedUnits string, err error) {
	if units != "" && !ValidCapacityUnits(units) {
		return 0, "", &Error{
			Code:    EINVALID,
			Field:   "capacity_units",
			Message: fmt.Sprintf("capacity_units %q is not valid: use %s or %s", units, CapacityTime, CapacityStoryPoints),
		}
	}
	terms, err := scanCapacity(text)
	if err != nil {
		return 0, "", err
	}

	hasPoints, hasTime := false, false
	for _, t := range terms {
		if t.unit == "p" {
			hasPoints = true
		} else {
			hasTime = true
		}
	}
	switch {
	case hasPoints && hasTime:
		return 0, "", capacityErrorf("total_capacity_text %q mixes time and story points: use either min, h, d, w, m or p", text)
	case hasPoints && units == CapacityTime:
		return 0, "", capacityErrorf("total_capacity_text %q is in story points but capacity_units is %s", text, CapacityTime)
	case hasTime && units == CapacityStoryPoints:
		return 0, "", capacityErrorf("total_capacity_text %q is in time units but capacity_units is %s", text, CapacityStoryPoints)
	}
	usedUnits = CapacityTime
	if hasPoints {
		usedUnits = CapacityStoryPoints
	}

	sum := new(big.Rat)
	for _, t := range terms {
		if t.unit == "p" {
			sum.Add(sum, t.amount)
			continue
		}
		minutes := new(big.Rat).SetInt64(timeUnitMinutes[t.unit])
		sum.Add(sum, minutes.Mul(minutes, t.amount))
	}
	if sum.Cmp(new(big.Rat).SetInt64(maxCapacity)) > 0 {
		return 0, "", capacityErrorf("total_capacity_text %q is too large", text)
	}
	total, _ = sum.Float64()
	if usedUnits == CapacityTime {
		total = math.Round(total)
	}
	return total, usedUnits, nil
}

// scanCapacity splits text into its terms.
func scanCapacity(text string) ([]capacityTerm, error) {
	rs := []rune(strings.ToLower(text))
	var terms []capacityTerm
	i := 0
	skipSpace := func() {
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
	}
	for {
		skipSpace()
		if i == len(rs) {
			break
		}
		if rs[i] == '-' && i+1 < len(rs) && isCapacityDigit(rs[i+1]) {
			return nil, capacityErrorf("total_capacity_text %q is not a capacity: amounts must not be negative", text)
		}
		start := i
		for i < len(rs) && isCapacityDigit(rs[i]) {
			i++
		}
		number := string(rs[start:i])
		if number == "" {
			return nil, capacityErrorf("total_capacity_text %q is not a capacity: %s", text, capacityUnitHelp)
		}
		amount, ok := new(big.Rat).SetString(number)
		if !ok || strings.Count(number, ".") > 1 {
			return nil, capacityErrorf("total_capacity_text %q is not a capacity: %s", text, capacityUnitHelp)
		}
		skipSpace()
		start = i
		for i < len(rs) && unicode.IsLetter(rs[i]) {
			i++
		}
		unit := string(rs[start:i])
		if unit == "" {
			if i == len(rs) || isCapacityDigit(rs[i]) {
				return nil, capacityErrorf("total_capacity_text %q is not a capacity: %q has no unit; %s", text, number, capacityUnitHelp)
			}
			return nil, capacityErrorf("total_capacity_text %q is not a capacity: %s", text, capacityUnitHelp)
		}
		if _, ok := timeUnitMinutes[unit]; !ok && unit != "p" {
			return nil, capacityErrorf("total_capacity_text %q is not a capacity: %s", text, capacityUnitHelp)
		}
		terms = append(terms, capacityTerm{amount: amount, unit: unit})
	}
	if len(terms) == 0 {
		return nil, capacityErrorf("total_capacity_text %q is empty: give a capacity such as \"2d 1h\" (time) or \"4p\" (story points)", text)
	}
	return terms, nil
}

// isCapacityDigit reports whether r is an ASCII decimal digit or a decimal
// point, the characters of a capacity amount.
func isCapacityDigit(r rune) bool { return r >= '0' && r <= '9' || r == '.' }

// capacityErrorf returns an EINVALID *Error about the field
// total_capacity_text.
func capacityErrorf(format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: capacityField, Message: fmt.Sprintf(format, args...)}
}

// FormatCapacity renders a total in normalised text. Story points are
// rendered as the shortest decimal followed by "p", such as "2.5p". Any other
// units are taken as time: the total is rounded to whole minutes and split
// greedily into months, weeks, days, hours and minutes, with zero parts
// left out, such as "1d 1h" for 540; a zero total is "0min".
func FormatCapacity(units string, total float64) string {
	if units == CapacityStoryPoints {
		if total == 0 {
			total = 0 // normalises negative zero
		}
		return strconv.FormatFloat(total, 'f', -1, 64) + "p"
	}
	minutes := math.Round(total)
	if math.IsNaN(minutes) || math.Abs(minutes) > math.MaxInt64/2 {
		return strconv.FormatFloat(minutes, 'f', -1, 64) + "min"
	}
	n := int64(minutes)
	if n == 0 {
		return "0min"
	}
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	parts := make([]string, 0, len(timeUnitOrder))
	for _, unit := range timeUnitOrder {
		size := timeUnitMinutes[unit]
		if q := n / size; q > 0 {
			parts = append(parts, strconv.FormatInt(q, 10)+unit)
			n -= q * size
		}
	}
	return sign + strings.Join(parts, " ")
}
