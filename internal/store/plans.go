package store

import "net/url"

// customPlans sets plan_cache_mode=force_custom_plan on the connections of
// a PostgreSQL URL that does not choose a mode itself. pgx keeps each
// statement prepared, and after a few runs PostgreSQL would otherwise plan
// it once for any parameters: a generic plan that cannot see that a filter
// matches few of a product's releases, or how small the page is, and so
// reads the whole product. A custom plan per execution costs a fraction of
// a millisecond.
func customPlans(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("plan_cache_mode") != "" {
		return dsn
	}
	q.Set("plan_cache_mode", "force_custom_plan")
	u.RawQuery = q.Encode()
	return u.String()
}
