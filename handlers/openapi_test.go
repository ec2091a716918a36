package handlers_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/api"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/httpx"
	"decisiond/store/storetest"
)

// Every route of /api/v1 in the route table has its operation in the
// description (api.Operations), and every operation is a route: a route
// added without its description, or a description left behind by a route
// removed, fails here with what to write.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "national")
	routes := map[handlers.Route]bool{}
	for _, r := range handlers.Routes(handlers.Deps{DB: db}) {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			routes[r] = true
		}
	}
	ops := map[handlers.Route]bool{}
	for _, op := range api.Operations {
		rt := handlers.Route{Method: op.Method, Path: op.Path}
		if ops[rt] {
			t.Errorf("api.Operations has two rows for %s %s", op.Method, op.Path)
		}
		ops[rt] = true
	}
	for rt := range routes {
		if !ops[rt] {
			t.Errorf("the route %s %s (handlers/routes.go) is not in the OpenAPI description: add its row to api.Operations "+
				"(handlers/api/openapi.go), e.g. {Method: %q, Path: %q, Tag: \"…\", ZH: \"…\", EN: \"…\", Body: body(itsRequest{}), "+
				"OK: ok(ItsAnswer{}), Fails: []int{403, 404, …}} — Body only if it reads one; the API tests then check the answer's shape and statuses",
				rt.Method, rt.Path, rt.Method, rt.Path)
		}
	}
	for rt := range ops {
		if !routes[rt] {
			t.Errorf("api.Operations (handlers/api/openapi.go) describes %s %s, which is no route of handlers/routes.go: remove the row, or fix its method or path", rt.Method, rt.Path)
		}
	}
	// And the served description has exactly those operations.
	s, err := handlerstest.LoadSpec(api.Description())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range s.Doc.Paths.Map() {
		for method := range item.Operations() {
			n++
			found := false
			for rt := range ops {
				found = found || (rt.Method == method && api.OpenAPIPath(rt.Path) == path)
			}
			if !found {
				t.Errorf("the description has %s %s, which api.Operations does not", method, path)
			}
		}
	}
	if n != len(ops) {
		t.Errorf("the description has %d operations, api.Operations %d", n, len(ops))
	}
}

// Every error code the engine can give is in the description, with its
// status and meaning; a code the source gives that httpx.Codes lacks fails
// here, and so does a listed code no source gives any more. The source is
// scanned as workflow's TestRulesDocCoversEveryGuardCode scans it: Code*
// constants, and the codes given to Errorf, RuleError and Error{Code: …}.
func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	inSource := engineCodes(t)
	listed := map[string]bool{}
	for _, c := range httpx.Codes {
		if listed[c.Code] {
			t.Errorf("httpx.Codes lists %s twice", c.Code)
		}
		listed[c.Code] = true
		if !handlerstest.Han.MatchString(c.ZH) || !handlerstest.Latin.MatchString(c.EN) {
			t.Errorf("%s: its meaning in Chinese and English is missing", c.Code)
		}
	}
	for code, where := range inSource {
		if !listed[code] {
			t.Errorf("the engine gives the error code %q (%s) which the OpenAPI description lacks: add {Code, ZH, EN} for it to httpx.Codes (handlers/httpx/codes.go)", code, where[0])
		}
	}
	for code := range listed {
		if _, ok := inSource[code]; !ok {
			t.Errorf("httpx.Codes lists %q, which no source gives: remove it", code)
		}
	}
	// The served description: the enum of ErrorCode, and per status the
	// codes of that status.
	s, err := handlerstest.LoadSpec(api.Description())
	if err != nil {
		t.Fatal(err)
	}
	enum := s.Doc.Components.Schemas["ErrorCode"].Value.Enum
	if len(enum) != len(httpx.Codes) {
		t.Errorf("ErrorCode lists %d codes, httpx.Codes %d", len(enum), len(httpx.Codes))
	}
	for _, c := range httpx.Codes {
		if !slices.Contains(enum, any(c.Code)) {
			t.Errorf("ErrorCode lacks %s", c.Code)
		}
		st := httpx.StatusOf(c.Code)
		p := s.Doc.Components.Schemas["Problem"+strconv.Itoa(st)]
		if p == nil || !bytes.Contains(mustJSON(t, p.Value), []byte(`"`+c.Code+`"`)) {
			t.Errorf("Problem%d does not list %s", st, c.Code)
		}
	}
	if !bytes.Contains(mustJSON(t, s.Doc.Components.Schemas["Problem"].Value), []byte("request_id")) {
		t.Error("the Problem schema lacks request_id")
	}
}

func mustJSON(t *testing.T, v interface{ MarshalJSON() ([]byte, error) }) []byte {
	t.Helper()
	b, err := v.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// engineCodes scans the non-test Go source of workflow, store and
// handlers for error codes, with where each is given.
func engineCodes(t *testing.T) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range []string{"../workflow", "../store", "."} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.Contains(p, "handlerstest") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			files = append(files, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	consts := map[string]string{} // Code* constant → its value
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[n.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	codeName := regexp.MustCompile(`^Code[A-Z]`)
	out := map[string][]string{}
	add := func(code string, pos token.Pos) { out[code] = append(out[code], fset.Position(pos).String()) }
	resolve := func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		case *ast.Ident:
			v, ok := consts[x.Name]
			return v, ok && codeName.MatchString(x.Name)
		case *ast.SelectorExpr:
			v, ok := consts[x.Sel.Name]
			return v, ok && codeName.MatchString(x.Sel.Name)
		}
		return "", false
	}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, sp := range g.Specs {
					for _, n := range sp.(*ast.ValueSpec).Names {
						if v, ok := consts[n.Name]; ok && codeName.MatchString(n.Name) {
							add(v, n.Pos())
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				var name string
				switch fn := x.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					if id, ok := fn.X.(*ast.Ident); ok && id.Name == "workflow" {
						name = fn.Sel.Name
					}
				}
				if (name == "Errorf" || name == "RuleError") && len(x.Args) > 0 {
					if c, ok := resolve(x.Args[0]); ok {
						add(c, x.Pos())
					} else if _, lit := x.Args[0].(*ast.BasicLit); lit {
						t.Errorf("%s: %s with a code that is not a string", fset.Position(x.Pos()), name)
					}
				}
			case *ast.CompositeLit:
				typ := ""
				switch tx := x.Type.(type) {
				case *ast.Ident:
					typ = tx.Name
				case *ast.SelectorExpr:
					typ = tx.Sel.Name
				}
				if typ != "Error" {
					return true
				}
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" {
							if c, ok := resolve(kv.Value); ok {
								add(c, kv.Pos())
							}
						}
					}
				}
			}
			return true
		})
	}
	if len(out) < 60 {
		t.Fatalf("found only %d codes in the source: the scan is broken", len(out))
	}
	return out
}

// The description is served without a token, and so is its page, which
// lists every operation, event and code, with no script (the CSP allows
// none inline, and none is needed).
func TestOpenAPIServedAndPage(t *testing.T) {
	e := handlerstest.New(t, storetest.Backends(t)[0].Open)
	// The test server's client checks every exchange with the API.
	conform, ok := e.HTTP.Transport.(*handlerstest.Conform)
	if !ok {
		t.Fatalf("the test server's client does not check its exchanges against the description: %T", e.HTTP.Transport)
	}
	before := conform.Checked.Load()
	r := e.Do(t, "GET", "/api/v1/openapi.json", "", nil)
	if conform.Checked.Load() != before+1 {
		t.Error("an exchange went unchecked")
	}
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !bytes.Equal(r.Body, api.Description()) {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := e.Do(t, "GET", "/api/v1/openapi.json", "not-a-token", nil); r.Status != http.StatusOK {
		t.Errorf("a bad token does not matter for the description: %s", r)
	}
	for _, lang := range []string{"zh", "en"} {
		req, _ := http.NewRequest("GET", e.Srv.URL+"/api/docs?lang="+lang, nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
		p := e.Send(t, nil, req)
		if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /api/docs: %s", p)
		}
		page := string(p.Body)
		if strings.Contains(page, "<script") || strings.Contains(page, " on") && regexp.MustCompile(`\son[a-z]+=`).MatchString(page) {
			t.Error("the page has a script or an inline handler")
		}
		for _, op := range api.Operations {
			if !strings.Contains(page, op.Method+" "+api.OpenAPIPath(op.Path)) {
				t.Errorf("the page lacks %s %s", op.Method, op.Path)
			}
		}
		for _, c := range httpx.Codes {
			if !strings.Contains(page, fmt.Sprintf(`id="code-%s"`, c.Code)) {
				t.Errorf("the page lacks the code %s", c.Code)
			}
		}
		for _, ev := range []string{"launch", "submit_to_meeting", "record_legality_opinion", "add_item"} {
			if !strings.Contains(page, "<code>"+ev+"</code>") {
				t.Errorf("the page lacks the event %s", ev)
			}
		}
		if lang == "en" && !strings.Contains(page, "API reference") || lang == "zh" && !strings.Contains(page, "接口说明") {
			t.Errorf("the page is not in %s", lang)
		}
	}
}
