package api

import (
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// The drafter's side of the public's comments (Art. 18: 归纳整理、研究论证):
// the comments of a decision, searchable, with the main opinions they are
// grouped into; grouping and marking them.

// CommentsPage is a page of a decision's comments with the current comment
// period's figures and main opinions.
type CommentsPage struct {
	Items    []store.Comment     `json:"items"`
	Meta     httpx.ListMeta      `json:"meta"`
	Counts   store.CommentCounts `json:"counts"`
	Opinions []store.Opinion     `json:"opinions"`
	// Round is the current comment period (its start_participation
	// record's id; 0 when none was opened).
	Round int64 `json:"round"`
	// Handleable: the decision is in public participation, so its
	// comments may be grouped and marked now.
	Handleable bool `json:"handleable"`
}

// Comments: GET /api/v1/decisions/{id}/comments?q=&status=&opinion=&all_rounds=&page=&per_page=
// — the comments of a decision the caller may see, newest first (the
// current comment period's; all_rounds=true for every period). status:
// open, grouped, marked, duplicate, off_topic, abusive.
func (a *API) Comments(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var inv workflow.Invalid
	f := store.CommentFilter{AllRounds: httpx.QueryBool(c, "all_rounds", &inv), Page: httpx.PageOf(c, &inv)}
	if v := c.Query("q"); v != "" {
		f.Text = &v
	}
	if v := c.Query("status"); v != "" {
		f.Status = &v
	}
	if v := c.Query("opinion"); v != "" {
		f.Opinion = &v
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	l, err := a.db.Comments(c.Request.Context(), httpx.Actor(c), id, f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, CommentsPage{Items: l.Items, Meta: httpx.Meta(f.Page, l.Total), Counts: l.Counts, Opinions: l.Opinions,
		Round: l.Round, Handleable: l.Handleable})
}

// HandlingRequest is the body of POST /api/v1/decisions/{id}/comments/handling.
type HandlingRequest struct {
	Comments    []int64 `json:"comments"`
	Kind        string  `json:"kind"`
	Opinion     string  `json:"opinion"`
	Reason      string  `json:"reason"`
	DuplicateOf *int64  `json:"duplicate_of"`
}

// HandleComments: POST /api/v1/decisions/{id}/comments/handling
// {"comments": [ids], "kind": "group"|"duplicate"|"off_topic"|"abusive",
// "opinion", "reason", "duplicate_of"} — the undertaking unit groups
// comments of the current period into a main opinion, or marks them with
// the reason (one audited act). → 200 {"audit_seq", "handled"}; 400, 403,
// 404, 409 (not in public participation).
func (a *API) HandleComments(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req HandlingRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	res, err := a.db.HandleComments(c.Request.Context(), httpx.Actor(c), id, req.Comments,
		workflow.Handling{Kind: req.Kind, Opinion: req.Opinion, Reason: req.Reason, DuplicateOf: req.DuplicateOf})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, res)
}

// CommentAttachment: GET /api/v1/decisions/{id}/comments/{comment_id}/attachment
// — the file a comment came with, as a download (its sniffed type,
// Content-Disposition attachment, nosniff), for whoever may read the
// decision's comments; 404 for a decision outside the caller's scope, a
// comment of another decision or one without an attachment. The public
// never downloads attachments.
func (a *API) CommentAttachment(c *gin.Context) {
	ids, ok := httpx.PathIDs(c, "id", "comment_id")
	if !ok {
		return
	}
	d, content, err := a.db.CommentAttachmentOf(c.Request.Context(), httpx.Actor(c), ids[0], ids[1])
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.Download(c, d.Name, d.MIME, d.Alg, d.Hash, content)
}
