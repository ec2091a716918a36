package api

import (
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"

	"github.com/gin-gonic/gin"
)

// The readable page of the description: GET /api/docs, server-rendered
// from the same Operations, events and codes as /api/v1/openapi.json (no
// script, no CDN: the CSP forbids both).

// pkgPrefix matches the package paths in a Go type's name.
var pkgPrefix = regexp.MustCompile(`[a-z0-9_/]+\.`)

// docsView is what the page shows.
type docsView struct {
	Groups     []docsGroup
	Events     []eventDoc
	Catalogue  []eventDoc
	Codes      []docsCode
	Operations int
}

type docsGroup struct {
	Tag string
	Ops []docsOp
}

type docsOp struct {
	Method, Path, ZH, EN, Anchor string
	Public                       bool
	Query                        []string
	Body                         string
	OK, Fails                    []string
}

type docsCode struct {
	Code, ZH, EN string
	Status       int
}

func docsPage() docsView {
	v := docsView{Events: decisionEvents(), Catalogue: catalogueEvents(), Operations: len(Operations)}
	byTag := map[string]int{}
	for _, op := range Operations {
		d := docsOp{Method: op.Method, Path: OpenAPIPath(op.Path), ZH: op.ZH, EN: op.EN, Public: op.Public, Anchor: operationID(op)}
		for _, q := range op.Query {
			d.Query = append(d.Query, q.Name)
		}
		if b := op.Body; b != nil {
			switch {
			case b.Upload:
				d.Body = "multipart/form-data (file) | raw bytes"
			case b.Schema != nil:
				d.Body = b.Doc
			default:
				s := newSchemaSet()
				props := s.request(b.Type, b.Required...)["properties"].(obj)
				names := slices.Sorted(mapKeys(props))
				for i, n := range names {
					if slices.Contains(b.Required, n) {
						names[i] = n + "*"
					}
				}
				d.Body = "{" + strings.Join(names, ", ") + "}"
			}
		}
		for _, r := range op.OK {
			media := r.Media
			if len(media) == 0 {
				media = []string{"application/json"}
			}
			what := strings.Join(media, " | ")
			if r.Type != nil {
				what = pkgPrefix.ReplaceAllString(reflect.TypeOf(r.Type).String(), "")
				if len(media) > 1 || media[0] != "application/json" {
					what += " (" + strings.Join(media, " | ") + ")"
				}
			}
			d.OK = append(d.OK, strconv.Itoa(r.Status)+" "+what)
		}
		for _, f := range failsOf(op) {
			d.Fails = append(d.Fails, strconv.Itoa(f))
		}
		i, ok := byTag[op.Tag]
		if !ok {
			i = len(v.Groups)
			byTag[op.Tag] = i
			v.Groups = append(v.Groups, docsGroup{Tag: op.Tag})
		}
		v.Groups[i].Ops = append(v.Groups[i].Ops, d)
	}
	for _, c := range httpx.Codes {
		v.Codes = append(v.Codes, docsCode{Code: c.Code, ZH: c.ZH, EN: c.EN, Status: httpx.StatusOf(c.Code)})
	}
	return v
}

// Docs: GET /api/docs — the description as a page anyone may read.
func (a *API) Docs(c *gin.Context) {
	v := templates.NewView(c.Request, "API")
	v.Data = docsPage()
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-cache")
	c.Status(http.StatusOK)
	if err := templates.Render(c.Writer, "api/docs", v); err != nil {
		slog.ErrorContext(c.Request.Context(), "render api docs", "err", err)
		httpx.Fail(c, err)
	}
}
