package api

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// PoolStatser is a store that reports the statistics of its connection
// pools, by pool name.
type PoolStatser interface {
	DBStats() map[string]sql.DBStats
}

// metrics are the Prometheus metrics of one server.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	rateLimited prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, store any) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roadmapd_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "roadmapd_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roadmapd_rate_limited_total",
			Help: "Requests refused with 429 because their user was over the rate limit.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.rateLimited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if ps, ok := store.(PoolStatser); ok {
		reg.MustRegister(newPoolCollector(ps))
	}
	return m
}

// observe counts one answered request.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	method = metricMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// Metrics returns the handler of the server's Prometheus metrics, for
// serving them on another address (see Config.MetricsElsewhere).
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.ops.metrics.reg, promhttp.HandlerOpts{Registry: s.ops.metrics.reg})
}

// poolCollector exports sql.DBStats of the store's pools.
type poolCollector struct {
	store                                 PoolStatser
	maxOpen, open, inUse, idle            *prometheus.Desc
	waitCount, waitDuration               *prometheus.Desc
	maxIdleClosed, idleClosed, lifeClosed *prometheus.Desc
}

func newPoolCollector(s PoolStatser) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("roadmapd_db_"+name, help, []string{"pool"}, nil)
	}
	return &poolCollector{
		store:         s,
		maxOpen:       d("max_open_connections", "Most open connections the pool allows."),
		open:          d("open_connections", "Connections open, in use or idle."),
		inUse:         d("in_use_connections", "Connections in use."),
		idle:          d("idle_connections", "Idle connections."),
		waitCount:     d("wait_count_total", "Times a query waited for a free connection."),
		waitDuration:  d("wait_duration_seconds_total", "Time spent waiting for a free connection."),
		maxIdleClosed: d("max_idle_closed_total", "Connections closed because the pool held too many idle ones."),
		idleClosed:    d("max_idle_time_closed_total", "Connections closed because they were idle too long."),
		lifeClosed:    d("max_lifetime_closed_total", "Connections closed because they were too old."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitDuration, c.maxIdleClosed, c.idleClosed, c.lifeClosed} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, st := range c.store.DBStats() {
		g := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, pool)
		}
		k := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, pool)
		}
		g(c.maxOpen, float64(st.MaxOpenConnections))
		g(c.open, float64(st.OpenConnections))
		g(c.inUse, float64(st.InUse))
		g(c.idle, float64(st.Idle))
		k(c.waitCount, float64(st.WaitCount))
		k(c.waitDuration, st.WaitDuration.Seconds())
		k(c.maxIdleClosed, float64(st.MaxIdleClosed))
		k(c.idleClosed, float64(st.MaxIdleTimeClosed))
		k(c.lifeClosed, float64(st.MaxLifetimeClosed))
	}
}

// metricMethod returns the method's label: methods other than the standard
// ones are counted together, so that clients cannot grow the metrics.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
