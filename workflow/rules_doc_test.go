package workflow

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// rulesDoc is docs/rules.md, relative to this package.
const rulesDoc = "../docs/rules.md"

// guardCodesInSource scans the package's non-test .go files and returns every
// code given to RuleError(code, …) or warn(o, code, …), resolving constants
// through the package's const declarations, with where each is used. It also
// returns every Code*/Warn* constant's value.
func guardCodesInSource(t *testing.T) (used map[string][]string, consts map[string]string) {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		files = append(files, f)
	}
	consts = map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
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
	used = map[string][]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			fn, ok := call.Fun.(*ast.Ident)
			if !ok {
				return true
			}
			arg := -1
			switch fn.Name {
			case "RuleError":
				arg = 0
			case "warn":
				arg = 1
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			pos := fset.Position(call.Pos()).String()
			var code string
			switch x := call.Args[arg].(type) {
			case *ast.BasicLit:
				code, _ = strconv.Unquote(x.Value)
			case *ast.Ident:
				v, ok := consts[x.Name]
				if !ok {
					t.Errorf("%s: %s(%s, …): cannot resolve the code constant", pos, fn.Name, x.Name)
					return true
				}
				code = v
			default:
				t.Errorf("%s: %s: the code must be a string constant, so that docs/rules.md can be checked", pos, fn.Name)
				return true
			}
			used[code] = append(used[code], pos)
			return true
		})
	}
	return used, consts
}

// docRow is one row of a table in docs/rules.md.
type docRow struct {
	line             int
	article, code    string
	codes, testNames []string
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	testName   = regexp.MustCompile(`\bTest[A-Za-z0-9_]+`)
)

// rulesDocRows parses every table row of docs/rules.md whose header is
// | article | rule | what the engine does | code | test |.
func rulesDocRows(t *testing.T) []docRow {
	t.Helper()
	b, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatalf("docs/rules.md: %v", err)
	}
	var rows []docRow
	inTable := false
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if len(cells) == 5 && strings.EqualFold(cells[0], "article") && strings.EqualFold(cells[3], "code") {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(cells[0], "---") {
			continue
		}
		if len(cells) != 5 {
			t.Errorf("docs/rules.md:%d: a rule row has %d cells, want 5", i+1, len(cells))
			continue
		}
		r := docRow{line: i + 1, article: cells[0], code: cells[3]}
		for _, m := range backticked.FindAllStringSubmatch(cells[3], -1) {
			r.codes = append(r.codes, m[1])
		}
		r.testNames = testName.FindAllString(cells[4], -1)
		rows = append(rows, r)
	}
	return rows
}

// testFuncs returns the names of the Test functions of this package and of
// the packages whose tests prove the rules end to end: the HTTP API
// (handlers/api), the public pages (handlers/public) and the command line
// (cmd/decisiond, verify).
func testFuncs(t *testing.T) map[string]bool {
	t.Helper()
	var paths []string
	for _, pat := range []string{"*_test.go", "../handlers/api/*_test.go", "../handlers/public/*_test.go", "../cmd/decisiond/*_test.go"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Test") {
				out[fd.Name.Name] = true
			}
		}
	}
	return out
}

// docs/rules.md has a row for every guard code the engine can return (and
// every warning), each row cites an article and names a test that exists,
// and each code a row names is one the engine knows.
func TestRulesDocCoversEveryGuardCode(t *testing.T) {
	used, consts := guardCodesInSource(t)
	if len(used) < 20 {
		t.Fatalf("found only %d guard codes in the source; the scan is broken", len(used))
	}
	rows := rulesDocRows(t)
	documented := map[string]bool{}
	known := map[string]bool{}
	for name, v := range consts {
		if strings.HasPrefix(name, "Code") || strings.HasPrefix(name, "Warn") {
			known[v] = true
		}
	}
	tests := testFuncs(t)
	for _, r := range rows {
		if r.article == "" {
			t.Errorf("docs/rules.md:%d: no article", r.line)
		}
		if len(r.testNames) == 0 {
			t.Errorf("docs/rules.md:%d: no test named", r.line)
		}
		for _, n := range r.testNames {
			if !tests[n] {
				t.Errorf("docs/rules.md:%d: test %s does not exist", r.line, n)
			}
		}
		for _, c := range r.codes {
			if !known[c] {
				t.Errorf("docs/rules.md:%d: code %q is not a code of the engine", r.line, c)
			}
			documented[c] = true
		}
	}
	var missing []string
	for c, where := range used {
		if !documented[c] {
			missing = append(missing, c+" (used at "+strings.Join(where, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("guard code without a row in docs/rules.md: %s", m)
	}
}

// Every guard of PROCEDURE.md's event table is wired: each event with a
// guard or a named code there has at least one guard in the table.
func TestGuardTableCoversProcedureEvents(t *testing.T) {
	p := New()
	for _, ev := range []string{
		EvLaunch, EvDecline, EvStartParticipation, EvWaiveParticipation, EvRecordHearing, EvCompleteParticipation,
		EvCompleteExpertReview, EvWaiveExpertReview, EvCompleteRiskAssessment, EvWaiveRiskAssessment,
		EvSubmitLegalityReview, EvReturnLegalitySubmission, EvRecordLegalityOpinion, EvSubmitToMeeting,
		EvApprove, EvReturnForRevision, EvReject, EvPostpone, EvResumeDiscussion, EvLapse, EvReportToParty,
		EvPublish, EvStartExecution, EvSuspend, EvResume, EvStartEvaluation, EvStop, EvAdjust, EvWithdraw,
	} {
		inSeparation := false
		for _, r := range SeparationOfDuties {
			inSeparation = inSeparation || contains(r.Events, ev)
		}
		if len(p.Guards(ev)) == 0 && !inSeparation {
			t.Errorf("event %s has no guard", ev)
		}
	}
}
