package httpx

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"decisiond/workflow"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets by key (an address, a user id), so one
// client's bursts never slow another. Idle buckets are forgotten.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst events at once and then one per every.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

func (l *Limiter) get(key string) *rate.Limiter {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute && b.l.Tokens() >= float64(l.burst) {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.l
}

// Allow spends one token of key's bucket, reporting whether there was one.
func (l *Limiter) Allow(key string) bool { return l.get(key).Allow() }

// Exhausted reports whether key's bucket is empty, without spending.
func (l *Limiter) Exhausted(key string) bool { return l.get(key).Tokens() < 1 }

// RateLimited is the refusal of a request over its budget; it tells when to
// come back (Retry-After).
func RateLimited(c *gin.Context, every time.Duration) {
	secs := int(every.Seconds())
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	Fail(c, &workflow.Error{Code: CodeRateLimited,
		ZH: "请求过于频繁，请" + strconv.Itoa(secs) + "秒后再试", EN: "too many requests; try again in " + strconv.Itoa(secs) + " s"})
}

// Every is the refill interval of the limiter.
func (l *Limiter) Every() time.Duration { return l.every }

// ClientAddr is the address of the client (the peer; a proxy in front is
// configured to pass the real address through the connection, not a
// header a client could forge).
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
