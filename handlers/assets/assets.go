// Package assets serves the embedded CSS (and any vendored script) under
// content-hashed URLs, so a browser may cache them for a year and still
// never sees a stale file after an upgrade. No CDN, no fonts shipped.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

// Prefix is where assets are served.
const Prefix = "/assets/"

var (
	once   sync.Once
	byURL  map[string]string // "app.3f2a1b4c.css" → "static/app.css"
	byName map[string]string // "app.css" → "/assets/app.3f2a1b4c.css"
)

func index() {
	byURL, byName = map[string]string{}, map[string]string{}
	_ = fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		byURL[hashed], byName[name] = p, Prefix+hashed
		return nil
	})
}

// URL is the content-hashed URL of an asset ("app.css").
func URL(name string) string {
	once.Do(index)
	return byName[name]
}

// Handler serves the assets by their hashed names; a name that is not
// current is 404.
func Handler() http.Handler {
	once.Do(index)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := byURL[strings.TrimPrefix(r.URL.Path, Prefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, _ := static.ReadFile(p)
		switch path.Ext(p) {
		case ".css":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		case ".js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(b)
	})
}
