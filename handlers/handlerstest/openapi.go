package handlerstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ---- conformance: every API test's requests and answers against the
// served OpenAPI description ----
//
// The test server's client (Env.HTTP, and every browser made from it)
// sends each request to /api/v1 through Conform: the request is checked
// against the description served at /api/v1/openapi.json, the answer too
// (its status among the operation's, its Content-Type, its headers and
// body — problem+json included — against their schemas), with
// github.com/getkin/kin-openapi. A request the description refuses (a
// test sending bad data on purpose) must be refused by the server (4xx),
// and its refusal must conform too. Anything else fails the test that
// sent the request, naming the route and what differs.

// Spec is a loaded, validated OpenAPI description.
type Spec struct {
	Doc    *openapi3.T
	router routers.Router
	// The bodies are validated with the JSON Schema 2020-12 validator
	// kin-openapi itself uses for 3.1 (santhosh-tekuri/jsonschema), each
	// schema compiled once: kin-openapi compiles the schema anew for every
	// value (the API tests took 3.5 times as long), and validates a schema
	// that uses no keyword new in 2020-12 with its OpenAPI 3.0 visitor.
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// docURL names the description as a JSON Schema resource.
const docURL = "mem:///openapi.json"

var specs sync.Map // sha256 of the description → *Spec

// LoadSpec loads an OpenAPI description and validates it with the
// library's validator (each distinct description once per process).
func LoadSpec(b []byte) (*Spec, error) {
	key := sha256.Sum256(b)
	if s, ok := specs.Load(key); ok {
		return s.(*Spec), nil
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI description: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI description is not valid: %w", err)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI description: %w", err)
	}
	if p := doc.Components.Schemas["Problem"]; p == nil || p.Value == nil {
		return nil, errors.New("the OpenAPI description has no Problem schema")
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, raw); err != nil {
		return nil, err
	}
	s := &Spec{Doc: doc, router: r, compiler: c, compiled: map[string]*jsonschema.Schema{}}
	if _, err := s.schema("/components/schemas/Problem"); err != nil {
		return nil, fmt.Errorf("compile the Problem schema: %w", err)
	}
	specs.Store(key, s)
	return s, nil
}

// schema is the compiled schema at a JSON pointer of the description.
func (s *Spec) schema(pointer string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[pointer]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(docURL + "#" + pointer)
	if err != nil {
		return nil, err
	}
	s.compiled[pointer] = sch
	return sch, nil
}

// pointer escapes the tokens of a JSON pointer.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// checkBody validates a body of media type mt against the schema of the
// media type entry at pointer (none: the bytes are not checked).
func (s *Spec) checkBody(content openapi3.Content, at string, header http.Header, body []byte) error {
	ct := header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	var key string
	for k := range content {
		if strings.EqualFold(k, mt) {
			key = k
		}
	}
	if key == "" {
		for k := range content {
			if k == "*/*" || (strings.HasSuffix(k, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(k, "*"))) {
				key = k
			}
		}
	}
	if key == "" {
		return fmt.Errorf("the Content-Type %q is not among the described %v", ct, slices.Sorted(maps.Keys(content)))
	}
	if content[key].Schema == nil {
		return nil // bytes of a described type (a download, an upload)
	}
	sch, err := s.schema(at + pointer("content", key, "schema"))
	if err != nil {
		return fmt.Errorf("compile the schema of %s: %w", key, err)
	}
	var v any
	switch {
	case strings.HasPrefix(mt, "text/"):
		v = string(body)
	case mt == "multipart/form-data":
		if v, err = formParts(ct, body); err != nil {
			return err
		}
	default:
		if v, err = jsonschema.UnmarshalJSON(bytes.NewReader(body)); err != nil {
			return fmt.Errorf("the body is not JSON: %v", err)
		}
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("the body does not match the schema: %v", err)
	}
	return nil
}

// bearerPresent is the description's bearer scheme as the validator
// checks it: an Authorization header with a token (whether the server
// takes it is the server's answer to check).
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, tok, ok := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// Check validates one exchange with the API: req (its body in reqBody)
// and the answer. It returns nil when both conform, or when the
// description refuses the request and the server refused it too (4xx)
// with an answer that conforms. Requests outside /api/v1 are not checked.
func (s *Spec) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.Method == http.MethodHead {
		return nil
	}
	vr := req.Clone(context.Background())
	if len(reqBody) > 0 && vr.Header.Get("Content-Type") == "" {
		// The server reads a JSON body whatever its declared type; the
		// description names application/json.
		vr.Header.Set("Content-Type", "application/json")
	}
	vr.Body = io.NopCloser(bytes.NewReader(reqBody))
	vr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	route, params, err := s.router.FindRoute(vr)
	if err != nil {
		// No such operation: the answer is a 404 or 405 problem (or a
		// redirect to the canonical path).
		if status >= 300 && status < 400 {
			return nil
		}
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s is in no operation of the description (%v), yet the server answered %d", req.Method, req.URL.Path, err, status)
		}
		return s.checkProblem(header, body)
	}
	// The library checks the parameters, the security, the status, the
	// Content-Type and the headers; the bodies are checked by checkBody.
	opts := &openapi3filter.Options{AuthenticationFunc: bearerPresent, IncludeResponseStatus: true, ExcludeRequestBody: true, ExcludeResponseBody: true}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	opAt := pointer("paths", route.Path, strings.ToLower(route.Method))
	if rb := route.Operation.RequestBody; reqErr == nil && rb != nil && rb.Value != nil {
		if len(reqBody) == 0 {
			if rb.Value.Required {
				reqErr = errors.New("the request body is required")
			}
		} else {
			reqErr = s.checkBody(rb.Value.Content, opAt+"/requestBody", vr.Header, reqBody)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	resErr := openapi3filter.ValidateResponse(context.Background(), out)
	if resErr == nil {
		code := strconv.Itoa(status)
		r := route.Operation.Responses.Status(status)
		at := opAt + pointer("responses", code)
		if r != nil && r.Ref != "" {
			at = strings.TrimPrefix(r.Ref, "#")
		}
		if r != nil && r.Value != nil && len(r.Value.Content) > 0 {
			resErr = s.checkBody(r.Value.Content, at, header, body)
		}
	}
	if resErr == nil && status >= 400 {
		// A refusal is problem+json, whatever media types match loosely.
		if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/problem+json" {
			resErr = fmt.Errorf("a refusal's Content-Type is %q, not application/problem+json", header.Get("Content-Type"))
		}
	}
	op := route.Method + " " + route.Path
	switch {
	case reqErr != nil && (status < 400 || status >= 500):
		return fmt.Errorf("%s: the description refuses the request (%v), yet the server answered %d: the description is stricter than the server, or the server accepts what it should refuse", op, brief(reqErr), status)
	case resErr != nil:
		return fmt.Errorf("%s: the answer %d does not conform to the description: %v", op, status, brief(resErr))
	}
	return nil
}

// checkProblem validates a problem+json answer against the Problem schema.
func (s *Spec) checkProblem(header http.Header, body []byte) error {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/problem+json" {
		return fmt.Errorf("a refusal's Content-Type is %q, not application/problem+json", header.Get("Content-Type"))
	}
	sch, err := s.schema("/components/schemas/Problem")
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("a problem is not JSON: %v", err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("a problem does not conform to the Problem schema: %v", err)
	}
	return nil
}

// formParts reads a multipart/form-data body as an object: each part's
// name → its content as a string.
func formParts(ct string, body []byte) (map[string]any, error) {
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, err
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	out := map[string]any{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("the multipart body: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("the multipart body: %v", err)
		}
		out[p.FormName()] = string(b)
	}
}

// brief cuts a validation error's message (a failed oneOf lists every
// branch) to a readable length.
func brief(err error) string {
	s := err.Error()
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// Conform is an http.RoundTripper that sends each request with Base and
// reports every exchange with /api/v1 that does not conform to Spec as an
// error of tb.
type Conform struct {
	Base http.RoundTripper
	Spec *Spec
	TB   testing.TB
	// Checked counts the exchanges with /api/v1 checked.
	Checked atomic.Int64
}

// RoundTrip sends req and checks the exchange.
func (c *Conform) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return c.Base.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(bytes.NewReader(b))
		req = r2
	}
	res, err := c.Base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err // a body cut short (a server killed mid-answer): the caller sees the failure
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	c.Checked.Add(1)
	if cerr := c.Spec.Check(req, reqBody, res.StatusCode, res.Header, body); cerr != nil {
		b := body
		if len(b) > 400 {
			b = append(b[:400:400], "…"...)
		}
		c.TB.Errorf("OpenAPI conformance: %s %s → %d %s\n%v", req.Method, req.URL.RequestURI(), res.StatusCode, b, cerr)
	}
	return res, nil
}

// conform wraps the test server's client so that every exchange with the
// API is checked against the description the server serves. Benchmarks
// are left unchecked: they measure the server, not the validator.
func (e *Env) conform(tb testing.TB) {
	tb.Helper()
	if _, bench := tb.(*testing.B); bench {
		return
	}
	res, err := e.HTTP.Get(e.Srv.URL + "/api/v1/openapi.json")
	if err != nil {
		tb.Fatalf("GET /api/v1/openapi.json: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		tb.Fatalf("GET /api/v1/openapi.json: %d %v", res.StatusCode, err)
	}
	spec, err := LoadSpec(b)
	if err != nil {
		tb.Fatal(err)
	}
	base := e.HTTP.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *e.HTTP
	c.Transport = &Conform{Base: base, Spec: spec, TB: tb}
	e.HTTP = &c
}
