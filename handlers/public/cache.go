package public

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// A rendered public page or export, and the cache of them. Every change to
// what the public pages show (a publication, an adjustment, a decision's
// state behind 完成情况) appends an event to the audit chain, so a page
// rendered at chain head N stays right until the head moves; lateness also
// depends on the day. Pages are cached by their URL (the query parameters
// that matter, normalised), the head and the day.

type rendered struct {
	body     []byte
	ctype    string
	filename string // attachment name for downloads ("" for pages)
	ascii    string // the same name in ASCII, for clients without RFC 6266
	etag     string
	head     int64
	day      string
}

func newRendered(body []byte, ctype string) *rendered {
	sum := sha256.Sum256(body)
	return &rendered{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// download names the attachment: a Chinese name and an ASCII one.
func (r *rendered) download(name, ascii string) *rendered {
	r.filename, r.ascii = name, ascii
	return r
}

// maxCached bounds the cache; when full it starts again (the keys are few:
// organs × years × versions × formats × display settings).
const maxCached = 1024

type pageCache struct {
	mu    sync.RWMutex
	pages map[string]*rendered
}

func (c *pageCache) get(key string, head int64, day string) *rendered {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if r := c.pages[key]; r != nil && r.head == head && r.day == day {
		return r
	}
	return nil
}

func (c *pageCache) put(key string, r *rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil || len(c.pages) >= maxCached {
		c.pages = map[string]*rendered{}
	}
	c.pages[key] = r
}

// write sends r: cacheable by anyone for maxAge seconds, with its ETag; a
// matching If-None-Match gets 304 without the body.
func write(c *gin.Context, r *rendered, maxAge int) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	h.Set("ETag", r.etag)
	h.Set("Vary", "Accept-Encoding")
	if matches(c.Request.Header.Get("If-None-Match"), r.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	if r.filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+r.ascii+`"; filename*=UTF-8''`+pathEscape(r.filename))
	}
	c.Data(http.StatusOK, r.ctype, r.body)
}

// matches reports whether an If-None-Match header names etag (weak
// comparison, RFC 9110 13.1.2).
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func pathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}
