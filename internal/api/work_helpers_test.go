package api_test

import "testing"

// clearWork deletes, through the API, the features and epics of a release,
// which a release must be rid of before it can be deleted.
func clearWork(t *testing.T, s *testServer, release string) {
	t.Helper()
	for _, kind := range []string{"features", "epics"} {
		list := s.call(t, "GET", "/api/v1/releases/"+release+"/"+kind+"?per_page=200", "", 200).get(kind)
		for _, it := range list.list {
			s.call(t, "DELETE", "/api/v1/"+kind+"/"+it.get("id").str(), "", 204)
		}
	}
}
