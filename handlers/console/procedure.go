package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"decisiond/handlers/auth"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// ---- the procedure page (程序图) ----

type stateBox struct {
	Code, Label, Class, Href string
	X, Y, W, H, TX, TY       int
}

type edge struct {
	Path, Class string
}

type articleView struct {
	No          int
	Title, Text string
}

type stateArticles struct {
	Code, Label, Ref string
	Articles         []articleView
}

type transition struct {
	No                        int
	From, Event, To, Who, Ref string
}

type procedureView struct {
	Width, Height int
	Boxes         []stateBox
	Edges         []edge
	States        []stateArticles
	Transitions   []transition
}

// Procedure: GET /procedure — the procedure drawn as SVG from the
// machine's own event table, each state linked to its articles of the
// regulation (whose text the page carries).
func (k *Console) Procedure(c *gin.Context) {
	v, l := k.page(c, "procedure")
	v.Title = v.T("决策程序图", "The procedure")
	pv := procedureLayout(k.proc, l)
	v.Data = pv
	auth.Render(c, http.StatusOK, "console/procedure", v)
}

const (
	boxW, boxH, rowH = 210, 36, 52
	colMain, colSide = 60, 380
	colEnd           = 660
)

// procedureLayout places the main line in the first column, the side
// states (evaluation, suspension, postponement) in the second and the
// ends in the third, and draws every state-changing event as an arrow.
func procedureLayout(p *workflow.Procedure, l lang) procedureView {
	v := l.v
	pos := map[workflow.State]*stateBox{}
	var boxes []stateBox
	place := func(s workflow.State, x, y int, class string) {
		sd, _ := workflow.StateByCode(s)
		b := stateBox{Code: string(s), Label: v.T(sd.ZH, sd.EN), Class: class, Href: "#state-" + string(s),
			X: x, Y: y, W: boxW, H: boxH, TX: x + boxW/2, TY: y + boxH/2 + 6}
		boxes = append(boxes, b)
	}
	for i, s := range workflow.MainLine {
		cls := "st-main"
		if s == workflow.StCompleted {
			cls = "st-end"
		}
		place(s, colMain, 20+i*rowH, cls)
	}
	row := func(s workflow.State) int { return slices.Index(workflow.MainLine, s) }
	place(workflow.StPostponed, colSide, 20+row(workflow.StCollectiveDecision)*rowH, "st-side")
	place(workflow.StPostEvaluation, colSide, 20+(row(workflow.StInExecution)-1)*rowH, "st-side")
	place(workflow.StSuspended, colSide, 20+(row(workflow.StInExecution)+1)*rowH, "st-side")
	var ends []workflow.State
	for _, s := range workflow.States {
		if s.Terminal && s.Code != workflow.StCompleted {
			ends = append(ends, s.Code)
		}
	}
	for i, s := range ends {
		place(s, colEnd, 20+i*2*rowH+rowH/2, "st-end")
	}
	for i := range boxes {
		pos[workflow.State(boxes[i].Code)] = &boxes[i]
	}
	pv := procedureView{Width: colEnd + boxW + 20, Height: 20 + len(workflow.MainLine)*rowH + 20, Boxes: boxes}
	seen := map[string]bool{}
	for _, e := range p.Events() {
		for _, from := range e.From {
			to := e.Target(from)
			a, b := pos[from], pos[to]
			if a == nil || b == nil || from == to || seen[string(from)+">"+string(to)] {
				continue
			}
			seen[string(from)+">"+string(to)] = true
			pv.Edges = append(pv.Edges, edgeBetween(a, b))
		}
	}
	// the states with their articles, and every transition as a table
	for _, s := range workflow.States {
		sa := stateArticles{Code: string(s.Code), Label: v.T(s.ZH, s.EN), Ref: s.Article}
		for _, n := range workflow.ArticleNumbers(s.Article) {
			if a, ok := workflow.ArticleText(n); ok {
				sa.Articles = append(sa.Articles, articleView{No: n, Title: a.Title, Text: a.Text})
			}
		}
		pv.States = append(pv.States, sa)
	}
	for _, e := range p.Events() {
		var who []string
		for _, r := range e.Roles {
			who = append(who, l.L(workflow.RoleLabel(string(r))))
		}
		for _, from := range e.From {
			to := v.T("（阶段不变）", "(stage unchanged)")
			if !e.Self() {
				to = l.state(e.To)
			}
			pv.Transitions = append(pv.Transitions, transition{No: len(pv.Transitions) + 1, From: l.state(from), Event: v.T(e.ZH, e.EN),
				To: to, Who: strings.Join(who, "、"), Ref: e.Article})
		}
	}
	return pv
}

// edgeBetween draws an arrow between two boxes: straight down the main
// line, a curve on the left for a step back, otherwise side to side.
func edgeBetween(a, b *stateBox) edge {
	switch {
	case a.X == b.X && b.Y == a.Y+rowH:
		return edge{Path: fmt.Sprintf("M%d,%d L%d,%d", a.X+boxW/2, a.Y+boxH, b.X+boxW/2, b.Y-2), Class: "edge"}
	case a.X == b.X:
		dx := 40 + abs(b.Y-a.Y)/12
		return edge{Path: fmt.Sprintf("M%d,%d C%d,%d %d,%d %d,%d", a.X, a.Y+boxH/2, a.X-dx, a.Y+boxH/2, b.X-dx, b.Y+boxH/2, b.X-2, b.Y+boxH/2), Class: "edge edge-back"}
	case a.X < b.X:
		return edge{Path: fmt.Sprintf("M%d,%d L%d,%d", a.X+boxW, a.Y+boxH/2, b.X-2, b.Y+boxH/2), Class: "edge edge-side"}
	}
	return edge{Path: fmt.Sprintf("M%d,%d L%d,%d", a.X, a.Y+boxH/2, b.X+boxW+2, b.Y+boxH/2), Class: "edge edge-side"}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
