// Package metrics is what decisiond tells Prometheus: acts by event and
// outcome, refusals by code, request latency by route (the route's
// template, never a raw path), the audit chain's length and the age of its
// last signed checkpoint, open and overdue deadlines, webhook deliveries
// and the database pools. Store figures are read at scrape time.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"decisiond/store"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry of the process's metrics.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	refusals *prometheus.CounterVec
}

// New builds the registry over a store.
func New(db *store.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "decisiond_http_request_duration_seconds",
		Help:    "HTTP request latency by method, route template and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})
	m.refusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "decisiond_refusals_total",
		Help: "Requests refused, by the refusal's stable code (problem+json code).",
	}, []string{"code"})
	m.reg.MustRegister(m.requests, m.refusals, &storeCollector{db: db},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one request's latency. route is the route's
// template ("/api/v1/decisions/:id"); unmatched requests share one label.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions:
	default:
		method = "other"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

// ObserveRefusal counts one refusal by its code.
func (m *Metrics) ObserveRefusal(code string) { m.refusals.WithLabelValues(code).Inc() }

// storeCollector reads the store's figures at scrape time. Deadlines are
// computed across every open decision, so they are cached briefly.
type storeCollector struct {
	db *store.DB

	mu        sync.Mutex
	deadlines struct {
		at            time.Time
		open, overdue int
		ok            bool
	}
}

var (
	descActs       = prometheus.NewDesc("decisiond_acts_total", "Acts on decisions since the process started, by event and outcome (ok or the refusal's code).", []string{"event", "outcome"}, nil)
	descChain      = prometheus.NewDesc("decisiond_audit_chain_length", "Events in the hash-chained audit log (the head's seq).", nil, nil)
	descCPAge      = prometheus.NewDesc("decisiond_checkpoint_age_seconds", "Age of the last signed checkpoint of the chain head.", nil, nil)
	descCPSeq      = prometheus.NewDesc("decisiond_checkpoint_seq", "Chain seq of the last signed checkpoint.", nil, nil)
	descOpen       = prometheus.NewDesc("decisiond_deadlines_open", "Open statutory deadlines across decisions that are not closed.", nil, nil)
	descOverdue    = prometheus.NewDesc("decisiond_deadlines_overdue", "Overdue deadlines (including decisions stuck too long, Art. 38).", nil, nil)
	descDeliveries = prometheus.NewDesc("decisiond_webhook_deliveries", "Webhook deliveries by status (pending, delivered, dead).", []string{"status"}, nil)
	descConns      = prometheus.NewDesc("decisiond_db_connections", "Database connections by pool and state (in_use, idle).", []string{"pool", "state"}, nil)
	descMaxConns   = prometheus.NewDesc("decisiond_db_max_open_connections", "Largest number of open connections a pool allows.", []string{"pool"}, nil)
	descWaits      = prometheus.NewDesc("decisiond_db_waits_total", "Times a request waited for a free connection.", []string{"pool"}, nil)
	descWaitSecs   = prometheus.NewDesc("decisiond_db_wait_seconds_total", "Time spent waiting for a free connection.", []string{"pool"}, nil)
	descGroups     = prometheus.NewDesc("decisiond_group_commits_total", "Group-commit transactions committed (several acts and public comments in one durable commit).", nil, nil)
	descGroupActs  = prometheus.NewDesc("decisiond_group_commit_acts_total", "Acts and comments those transactions carried (divided by the commits: the mean group size).", nil, nil)
	descScrapeErr  = prometheus.NewDesc("decisiond_scrape_errors", "Store figures that could not be read in this scrape.", []string{"figure"}, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descActs, descChain, descCPAge, descCPSeq, descOpen, descOverdue, descDeliveries,
		descConns, descMaxConns, descWaits, descWaitSecs, descGroups, descGroupActs, descScrapeErr} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	failed := func(figure string, err error) {
		slog.Warn("metrics: read store figure", "figure", figure, "err", err)
		ch <- prometheus.MustNewConstMetric(descScrapeErr, prometheus.GaugeValue, 1, figure)
	}
	for _, a := range c.db.ActCounts() {
		ch <- prometheus.MustNewConstMetric(descActs, prometheus.CounterValue, float64(a.N), a.Event, a.Outcome)
	}
	groups, grouped := c.db.GroupCommits()
	ch <- prometheus.MustNewConstMetric(descGroups, prometheus.CounterValue, float64(groups))
	ch <- prometheus.MustNewConstMetric(descGroupActs, prometheus.CounterValue, float64(grouped))
	if seq, _, err := c.db.ChainHead(ctx); err != nil {
		failed("chain", err)
	} else {
		ch <- prometheus.MustNewConstMetric(descChain, prometheus.GaugeValue, float64(seq))
	}
	if cp, err := c.db.LatestCheckpoint(ctx); err != nil {
		failed("checkpoint", err)
	} else if cp != nil {
		age := time.Since(store.ParseTime(cp.At)).Seconds()
		ch <- prometheus.MustNewConstMetric(descCPAge, prometheus.GaugeValue, max(age, 0))
		ch <- prometheus.MustNewConstMetric(descCPSeq, prometheus.GaugeValue, float64(cp.Seq))
	}
	if open, overdue, err := c.deadlineCounts(ctx); err != nil {
		failed("deadlines", err)
	} else {
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(open))
		ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(overdue))
	}
	if counts, err := c.db.DeliveryCounts(ctx); err != nil {
		failed("webhooks", err)
	} else {
		for _, s := range store.DeliveryStatuses {
			ch <- prometheus.MustNewConstMetric(descDeliveries, prometheus.GaugeValue, float64(counts[s]), s)
		}
	}
	for pool, st := range c.db.PoolStats() {
		ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(st.InUse), pool, "in_use")
		ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(st.Idle), pool, "idle")
		ch <- prometheus.MustNewConstMetric(descMaxConns, prometheus.GaugeValue, float64(st.MaxOpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(st.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(descWaitSecs, prometheus.CounterValue, st.WaitDuration.Seconds(), pool)
	}
}

// deadlineCounts are the open and overdue deadlines, counted from the
// deadline index at most every 30 s.
func (c *storeCollector) deadlineCounts(ctx context.Context) (open, overdue int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadlines.ok && time.Since(c.deadlines.at) < 30*time.Second {
		return c.deadlines.open, c.deadlines.overdue, nil
	}
	open, overdue, err = c.db.DeadlineCounts(ctx)
	if err != nil {
		return 0, 0, err
	}
	c.deadlines.at, c.deadlines.open, c.deadlines.overdue, c.deadlines.ok = time.Now(), open, overdue, true
	return open, overdue, nil
}
