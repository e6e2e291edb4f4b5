package api

import "github.com/roadmapd/roadmapd/internal/roadmap"

// errNotFound is the one answer to a request for a record that does not
// exist or that the caller may not see, whatever its kind and however it was
// named: the store's and the handlers' messages name what was looked for and
// where ("release PRJ3-R-999 not found", "not found in product PRJ1"), and
// differ between a missing record and an invisible one, which would tell a
// caller which records exist in products it may not see.
var errNotFound = roadmap.Errorf(roadmap.ENOTFOUND, "Not found")

// publicError is err as the client may see it: every not-found error is
// errNotFound.
func publicError(err error) error {
	if roadmap.ErrorCode(err) == roadmap.ENOTFOUND {
		return errNotFound
	}
	return err
}
