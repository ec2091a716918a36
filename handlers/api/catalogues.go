package api

import (
	"net/http"
	"strconv"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// The annual catalogue (重大行政决策事项年度目录) for signed-in staff: the
// office compiles (units propose their own items), records the organ's
// meeting, the Party committee's consent and the publication; every act is
// {event, expected_version, data} on one catalogue version.

// CatalogueView is a catalogue version as the API shows it to one caller.
type CatalogueView struct {
	workflow.CatalogueVersion
	Title           string         `json:"title"`
	StateLabel      workflow.Label `json:"state_label"`
	AvailableEvents []string       `json:"available_events"`
}

// CatalogueSummary is a version in a list: without its items.
type CatalogueSummary struct {
	CatalogueView
	Items []workflow.CatalogueItem `json:"items,omitempty"` // shadows the version's items: never set
}

// CatalogueActResponse answers every catalogue act: the version after it
// and the audit event that recorded it.
type CatalogueActResponse struct {
	Catalogue CatalogueView `json:"catalogue"`
	AuditSeq  int64         `json:"audit_seq"`
}

func catalogueView(v workflow.CatalogueVersion, who workflow.Actor) CatalogueView {
	return CatalogueView{CatalogueVersion: v, Title: v.Title(), StateLabel: workflow.CatalogueStateLabel(v.State),
		AvailableEvents: workflow.CatalogueAvailable(v.State, who)}
}

// newCatalogueRequest is the body of POST /api/v1/catalogues.
type newCatalogueRequest struct {
	OrganID int64 `json:"organ_id"`
	Year    int   `json:"year"`
}

// CreateCatalogue: POST /api/v1/catalogues {organ_id, year} — opens the
// organ's catalogue of the year (version 1) or, once a version is
// published, its adjustment (the next version) → 201.
func (a *API) CreateCatalogue(c *gin.Context) {
	who := httpx.Actor(c)
	var req newCatalogueRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	var inv workflow.Invalid
	if req.OrganID < 1 {
		inv.Add("organ_id", "必填：决策机关编号", "is required: the organ's id")
	}
	if req.Year == 0 {
		inv.Add("year", "必填：年度", "is required: the year")
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := a.db.CreateCatalogueVersion(c.Request.Context(), who, req.OrganID, req.Year)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/catalogues/"+strconv.FormatInt(res.Version.ID, 10))
	c.PureJSON(http.StatusCreated, CatalogueActResponse{Catalogue: catalogueView(res.Version, who), AuditSeq: res.AuditSeq})
}

// ListCatalogues: GET /api/v1/catalogues?organ=&year= — the versions of the
// caller's organ's catalogues, every state, without items.
func (a *API) ListCatalogues(c *gin.Context) {
	who := httpx.Actor(c)
	var inv workflow.Invalid
	f := store.CatalogueFilter{OrganID: httpx.QueryID(c, "organ", &inv)}
	if y := httpx.QueryInt(c, "year", &inv); y > 0 {
		f.Year = &y
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	vs, err := a.db.CatalogueVersions(c.Request.Context(), who, f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out := make([]CatalogueSummary, len(vs))
	for i, v := range vs {
		out[i] = CatalogueSummary{CatalogueView: catalogueView(v, who)}
	}
	c.PureJSON(http.StatusOK, Items[CatalogueSummary]{Items: out})
}

// GetCatalogue: GET /api/v1/catalogues/{id} — one version with its items.
func (a *API) GetCatalogue(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	v, err := a.db.CatalogueVersion(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, catalogueView(*v, httpx.Actor(c)))
}

// FireCatalogueEvent: POST /api/v1/catalogues/{id}/events {"event",
// "expected_version", "data"} — add_item, change_item, remove_item,
// approve, consent, publish.
func (a *API) FireCatalogueEvent(c *gin.Context) {
	who := httpx.Actor(c)
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	body, err := httpx.ReadBody(c.Request)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	req, err := httpx.DecodeEventRequest(body)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := a.db.ApplyCatalogue(c.Request.Context(), id, workflow.Act{Event: req.Event, Data: req.Data, Actor: who}, req.ExpectedVersion)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, CatalogueActResponse{Catalogue: catalogueView(res.Version, who), AuditSeq: res.AuditSeq})
}

// CatalogueReport: GET /api/v1/catalogue-reports/{year}?organ= — the
// plan-against-actual report of the organ's year (default: the caller's
// organ): every item with its 完成情况 derived from the decisions' states,
// the items not launched, past their planned time, withdrawn and why, and
// the decisions of the year in no item. Office and leaders.
func (a *API) CatalogueReport(c *gin.Context) {
	who := httpx.Actor(c)
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 1000 || year > 9999 {
		httpx.Fail(c, workflow.Errorf(workflow.CodeNotFound, "未找到该年度（年度应为四位数字）", "no such year (a four-digit year)"))
		return
	}
	var inv workflow.Invalid
	organ := httpx.QueryID(c, "organ", &inv)
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	if organ == nil {
		units, err := a.db.UnitMap(c.Request.Context())
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		o := workflow.OrganOf(units, who.UnitID)
		organ = &o
	}
	rep, err := a.db.CatalogueReport(c.Request.Context(), who, *organ, year)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, rep)
}
