package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// slowDecode is encoding/json's reading of a journal row, which decodeRow
// must equal.
func slowDecode(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	err := d.Decode(&m)
	return m, err
}

var journalRowSamples = []string{
	`{}`,
	` { } `,
	`{"id":1,"name":"Release 1","parking_lot":0,"progress":null,"total_capacity":12.5}`,
	`{"id": 602095703, "name": "R", "master_release": false, "parking_lot": true, "theme_body": "<p class=\"x\">é</p>", "neg": -0.5e-3}`,
	`{"a":"tab\there","b":"\u00e9\ud83d\ude00","c":"\/slash","d":""}`,
	`{"a":"` + "\xff\xfe" + `"}`,
	`{"a":1,"a":2}`,
	`{"nested":{"x":1}}`,
	`{"list":[1,2]}`,
	`{"a":01}`,
	`{"a":1.}`,
	`{"a":-}`,
	`{"a":1e}`,
	`{"a":1E+2,"b":0,"c":-0,"d":10.25E-1}`,
	`{"a":tru}`,
	`{"a":truex}`,
	`{"a":1,}`,
	`{"a" 1}`,
	`{"a":1} trailing`,
	`{"a":"line` + "\n" + `break"}`,
	`{"a":1`,
	`null`,
	`[1]`,
	`{"key with \"quote\"":"v"}`,
}

// TestDecodeRowAsEncodingJSON checks that decodeRow reads journal rows,
// and malformed ones, as encoding/json does.
func TestDecodeRowAsEncodingJSON(t *testing.T) {
	for _, s := range journalRowSamples {
		want, wantErr := slowDecode([]byte(s))
		got, err := decodeRow([]byte(s))
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decodeRow %#v, %v; encoding/json %#v, %v", s, got, err, want, wantErr)
		}
	}
}

// FuzzDecodeRow checks decodeRow against encoding/json on any input.
func FuzzDecodeRow(f *testing.F) {
	for _, s := range journalRowSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantErr := slowDecode(b)
		got, err := decodeRow(b)
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decodeRow %#v, %v; encoding/json %#v, %v", b, got, err, want, wantErr)
		}
	})
}

// releaseRow is a journal row of a release, as PostgreSQL writes it.
const releaseRow = `{"id": 602095703, "name": "Release 1", "position": 1, "progress": 40, "theme_id": 765390823, "end_date": null, "owner_id": 104452127, "name_fold": "release 1", "parent_id": null, "created_at": 1700000000000, "product_id": 131414752, "start_date": "2024-01-01", "theme_body": "<p>Ship the <b>first</b> one</p>", "updated_at": 1700000000000, "parking_lot": false, "released_on": null, "release_date": "2024-03-01", "created_by_id": 104452127, "reference_num": "PRJ1-R-1", "capacity_units": null, "master_release": false, "total_capacity": null, "duration_source": "duration_manual", "progress_source": "progress_manual", "theme_created_at": 1700000000000, "theme_updated_at": 1700000000000, "status_changed_on": "2024-01-01", "workflow_status_id": 1, "external_release_date": null, "development_started_on": null, "external_date_resolution": "exact"}`

// BenchmarkDecodeRow compares decodeRow with encoding/json on a release's
// journal row.
func BenchmarkDecodeRow(b *testing.B) {
	b.Run("decodeRow", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeRow([]byte(releaseRow)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		for b.Loop() {
			if _, err := slowDecode([]byte(releaseRow)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
