package api

import (
	"net/http"

	"github.com/roadmapd/roadmapd/internal/api/openapi"
)

// openAPIDocument answers the OpenAPI description of the API; it needs no
// token.
func (s *Server) openAPIDocument(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(openapi.JSON())
	return nil
}

// apiDocs answers the description rendered as an HTML page; it needs no
// token.
func (s *Server) apiDocs(w http.ResponseWriter, r *http.Request) error {
	page, err := openapi.HTML()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(page)
	return nil
}
