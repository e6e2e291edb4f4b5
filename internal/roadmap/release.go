package roadmap

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Progress sources of a release.
const (
	ProgressManual                = "progress_manual"
	ProgressFromFeatures          = "progress_from_features"
	ProgressFromReleasePhases     = "progress_from_release_phases"
	ProgressFromTodos             = "progress_from_todos"
	ProgressFromRemainingEstimate = "progress_from_remaining_estimate"
	ProgressFromFeaturesCompleted = "progress_from_features_completed"
	ProgressFromEpics             = "progress_from_epics"
	DurationManual                = "duration_manual"
	DurationFromPhasesAndFeatures = "duration_from_release_phases_features"
	DurationFromSubReleases       = "duration_from_sub_releases"
	DefaultProgressSource         = ProgressFromFeaturesCompleted
	DefaultExternalDateResolution = ResolutionSync
	MaxNameLength                 = 255
	MaxThemeLength                = 100000
	releaseRefKind, rollUpRefKind = "R", "MR"
	dateLayout                    = "2006-01-02"
	progressSourcesText           = "progress_manual, progress_from_features, progress_from_release_phases, progress_from_todos, progress_from_remaining_estimate, progress_from_features_completed, progress_from_epics"
	durationSourcesText           = "duration_manual, duration_from_release_phases_features, duration_from_sub_releases"
	resolutionsText               = "sync, exact, week, month, quarter, half, year"
	capacityUnitsText             = "time, story_points"
)

// ValidProgressSource reports whether s is a progress source.
func ValidProgressSource(s string) bool {
	switch s {
	case ProgressManual, ProgressFromFeatures, ProgressFromReleasePhases, ProgressFromTodos,
		ProgressFromRemainingEstimate, ProgressFromFeaturesCompleted, ProgressFromEpics:
		return true
	}
	return false
}

// ValidDurationSource reports whether s is a duration source.
func ValidDurationSource(s string) bool {
	switch s {
	case DurationManual, DurationFromPhasesAndFeatures, DurationFromSubReleases:
		return true
	}
	return false
}

// ReleaseReference returns the reference number of the n-th release (or
// roll-up release) of the product with this prefix: PRJ1-R-5, PRJ1-MR-2.
func ReleaseReference(prefix string, rollUp bool, n int64) string {
	kind := releaseRefKind
	if rollUp {
		kind = rollUpRefKind
	}
	return fmt.Sprintf("%s-%s-%d", prefix, kind, n)
}

// Today returns the calendar date of t in UTC as YYYY-MM-DD.
func Today(t time.Time) string { return t.UTC().Format(dateLayout) }

// ValidateName checks a record name: not blank, at most MaxNameLength characters.
func ValidateName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", FieldErrorf(field, "%s can't be blank", field)
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		return "", FieldErrorf(field, "%s is too long (maximum is %d characters)", field, MaxNameLength)
	}
	return name, nil
}

// ApplyReleaseInput applies the scalar fields of in to r and enforces the
// rules between them: dates, parking lot, external date and resolution,
// capacity, progress and duration sources. References to other records are
// resolved by the store. create says whether r is new; now is the write's time.
// On error r may be partly changed and must be discarded.
func ApplyReleaseInput(r *Release, in ReleaseInput, create bool, now time.Time) error {
	if in.Name.Set || create {
		if in.Name.Null || !in.Name.Set {
			return FieldErrorf("name", "name can't be blank")
		}
		name, err := ValidateName("name", in.Name.V)
		if err != nil {
			return err
		}
		r.Name = name
	}
	if in.Theme.Set {
		body := ""
		if !in.Theme.Null {
			body = in.Theme.V
		}
		if len(body) > MaxThemeLength {
			return FieldErrorf("theme", "theme is too long (maximum is %d bytes)", MaxThemeLength)
		}
		if body != r.Theme.Body || create {
			r.Theme.Body = body
			r.Theme.UpdatedAt = now
		}
	}
	if in.ParkingLot.Set {
		r.ParkingLot = in.ParkingLot.V && !in.ParkingLot.Null
	}
	if in.ProgressSource.Set {
		if in.ProgressSource.Null || !ValidProgressSource(in.ProgressSource.V) {
			return FieldErrorf("progress_source", "progress_source %q is not valid: use one of %s", in.ProgressSource.V, progressSourcesText)
		}
		if in.ProgressSource.V != r.ProgressSource && in.ProgressSource.V != ProgressManual {
			r.Progress = intPtr(0)
		}
		r.ProgressSource = in.ProgressSource.V
	}
	if in.Progress.Set {
		if r.ProgressSource != ProgressManual {
			return FieldErrorf("progress", "progress may only be set when progress_source is progress_manual (it is %s)", r.ProgressSource)
		}
		if in.Progress.Null {
			r.Progress = nil
		} else {
			if in.Progress.V < 0 || in.Progress.V > 100 {
				return FieldErrorf("progress", "progress must be between 0 and 100")
			}
			r.Progress = intPtr(in.Progress.V)
		}
	}
	if in.DurationSource.Set {
		if in.DurationSource.Null || !ValidDurationSource(in.DurationSource.V) {
			return FieldErrorf("duration_source", "duration_source %q is not valid: use one of %s", in.DurationSource.V, durationSourcesText)
		}
		if in.DurationSource.V == DurationFromSubReleases && !r.MasterRelease {
			return FieldErrorf("duration_source", "duration_source duration_from_sub_releases is only for roll-up releases")
		}
		r.DurationSource = in.DurationSource.V
	}
	dates := []struct {
		field string
		in    Opt[string]
		dst   *string
		auto  bool
	}{
		{"start_date", in.StartDate, &r.StartDate, true},
		{"end_date", in.EndDate, &r.EndDate, false},
		{"release_date", in.ReleaseDate, &r.ReleaseDate, true},
		{"development_started_on", in.DevelopmentStartedOn, &r.DevelopmentStartedOn, false},
		{"external_release_date", in.ExternalReleaseDate, &r.ExternalReleaseDate, false},
	}
	for _, d := range dates {
		if !d.in.Set {
			continue
		}
		if d.auto && r.DurationSource != DurationManual {
			return FieldErrorf(d.field, "%s is computed from %s and can't be set", d.field, r.DurationSource)
		}
		if d.in.Null || d.in.V == "" {
			*d.dst = ""
			continue
		}
		t, err := ParseDate(d.field, d.in.V)
		if err != nil {
			return err
		}
		*d.dst = t.Format(dateLayout)
	}
	if in.ExternalDateResolution.Set {
		if in.ExternalDateResolution.Null || !ValidResolution(in.ExternalDateResolution.V) {
			return FieldErrorf("external_date_resolution", "external_date_resolution %q is not valid: use one of %s", in.ExternalDateResolution.V, resolutionsText)
		}
		r.ExternalDateResolution = in.ExternalDateResolution.V
	}
	if r.ExternalDateResolution == "" {
		r.ExternalDateResolution = DefaultExternalDateResolution
	}
	if !r.ParkingLot && r.ReleaseDate == "" && (create || in.ParkingLot.Set || in.ReleaseDate.Set) {
		if in.ReleaseDate.Set {
			return FieldErrorf("release_date", "release_date can't be blank for a release outside the parking lot")
		}
		r.ReleaseDate = DefaultReleaseDate(now).Format(dateLayout)
	}
	if r.ExternalDateResolution == ResolutionSync || (r.ExternalReleaseDate == "" && !in.ExternalReleaseDate.Set) {
		r.ExternalReleaseDate = r.ReleaseDate
	}
	if r.StartDate != "" && r.ReleaseDate != "" && r.StartDate > r.ReleaseDate && (in.StartDate.Set || in.ReleaseDate.Set) {
		return FieldErrorf("start_date", "start_date %s is after release_date %s", r.StartDate, r.ReleaseDate)
	}
	return applyCapacity(r, in)
}

func applyCapacity(r *Release, in ReleaseInput) error {
	if in.CapacityUnits.Set {
		if in.CapacityUnits.Null || in.CapacityUnits.V == "" {
			if in.TotalCapacityText.Set && !in.TotalCapacityText.Null && in.TotalCapacityText.V != "" {
				return FieldErrorf("capacity_units", "capacity_units can't be cleared while total_capacity_text is given")
			}
			r.CapacityUnits, r.TotalCapacity = "", nil
			return nil
		}
		if !ValidCapacityUnits(in.CapacityUnits.V) {
			return FieldErrorf("capacity_units", "capacity_units %q is not valid: use one of %s", in.CapacityUnits.V, capacityUnitsText)
		}
		if r.CapacityUnits != in.CapacityUnits.V && r.TotalCapacity != nil && !in.TotalCapacityText.Set {
			return FieldErrorf("capacity_units", "capacity_units changes from %s to %s: give total_capacity_text in the new units", r.CapacityUnits, in.CapacityUnits.V)
		}
		r.CapacityUnits = in.CapacityUnits.V
	}
	if in.TotalCapacityText.Set {
		if in.TotalCapacityText.Null || strings.TrimSpace(in.TotalCapacityText.V) == "" {
			r.TotalCapacity = nil
			return nil
		}
		total, units, err := ParseCapacity(r.CapacityUnits, in.TotalCapacityText.V)
		if err != nil {
			return err
		}
		r.CapacityUnits, r.TotalCapacity = units, &total
	}
	return nil
}

func intPtr(v int) *int { return &v }

// ApplyStatus records a change of workflow status at now: the status date,
// the shipped date and the status history.
func ApplyStatus(r *Release, s WorkflowStatus, now time.Time) {
	if r.WorkflowStatusID == s.ID && r.ID != 0 {
		return
	}
	r.WorkflowStatusID = s.ID
	r.WorkflowStatus = s
	r.StatusChangedOn = Today(now)
	if s.Complete {
		r.ReleasedOn = Today(now)
	} else {
		r.ReleasedOn = ""
	}
	for i := range r.StatusTimes {
		if r.StatusTimes[i].EndedAt == nil {
			t := now
			r.StatusTimes[i].EndedAt = &t
		}
	}
	r.StatusTimes = append(r.StatusTimes, StatusTime{StatusID: s.ID, StatusName: s.Name, StartedAt: now})
}
