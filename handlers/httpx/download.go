package httpx

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Download writes a stored file as a download: the type sniffed when it
// was stored, Content-Disposition attachment with its name (an ASCII
// fallback and the UTF-8 name), X-Content-Type-Options nosniff, a policy
// that runs nothing should a browser display it anyway, and its hash.
func Download(c *gin.Context, name, mime, alg, hash string, content []byte) {
	c.Header("Content-Disposition", ContentDisposition(name))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Header("X-Content-Hash", alg+":"+hash)
	c.Data(http.StatusOK, mime, content)
}

// ContentDisposition names a download (RFC 6266): an ASCII fallback in
// filename and the UTF-8 name in filename* (RFC 5987), so Chinese names
// survive and no character of the name can end the header's parameter.
func ContentDisposition(name string) string {
	ascii := make([]rune, 0, len(name))
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return `attachment; filename="` + string(ascii) + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes every byte of s but RFC 5987's attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
