package api

import "net/http"

// Creates answer as Aha! does: 201 Created for features, epics,
// requirements, goals, initiatives and comments, which is the only status
// clients generated from Aha!'s API description accept there; 200 for every
// other create (releases, roll-up releases, products, key results, release
// phases, to-dos, custom field definitions and options, integrations and
// their fields, users and product roles), as the references show.

// createdWriter answers 201 Created where the handler it is given to answers
// 200; errors, written by the handler's caller, keep their status.
type createdWriter struct{ http.ResponseWriter }

// created wraps w for a handler whose successful answer is a new record.
func created(w http.ResponseWriter) http.ResponseWriter { return createdWriter{w} }

// WriteHeader turns 200 into 201.
func (w createdWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		code = http.StatusCreated
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w createdWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
