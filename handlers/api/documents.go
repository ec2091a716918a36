package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// DefaultMaxDocument is the largest document accepted unless configured.
const DefaultMaxDocument = 50 << 20

// UploadView answers an upload: the document and whether it was new.
type UploadView struct {
	store.Document
	Created bool `json:"created"`
}

// UploadDocument: POST /api/v1/documents — a file as multipart/form-data
// (field "file") or as the raw body (with ?name=). The type is sniffed from
// the content; the answer names the hash an act then attaches
// (data.documents[].hash). 413 above the size limit.
func (a *API) UploadDocument(c *gin.Context) {
	limit := a.maxDocument
	r := c.Request
	r.Body = http.MaxBytesReader(c.Writer, r.Body, limit+1<<20)
	var name string
	var content []byte
	var err error
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		f, h, ferr := c.Request.FormFile("file")
		if ferr != nil {
			err = ferr
		} else {
			defer f.Close()
			name = h.Filename
			content, err = io.ReadAll(io.LimitReader(f, limit+1))
		}
	} else {
		name = c.Query("name")
		content, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || int64(len(content)) > limit:
		httpx.Fail(c, &workflow.Error{Code: httpx.CodePayloadTooLarge,
			ZH: "文件超过上限（" + strconv.FormatInt(limit>>20, 10) + " MB）", EN: "the file exceeds the limit (" + strconv.FormatInt(limit>>20, 10) + " MB)"})
		return
	case errors.Is(err, http.ErrMissingFile):
		httpx.Fail(c, httpx.Invalid("file", "请选择要上传的文件（字段 file）", "choose a file to upload (field file)"))
		return
	case err != nil:
		httpx.Fail(c, httpx.Invalid("file", "无法读取上传的文件", "could not read the uploaded file"))
		return
	}
	d, created, err := a.db.PutDocument(c.Request.Context(), httpx.Actor(c), name, content)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.PureJSON(status, UploadView{Document: *d, Created: created})
}

// Attachments: GET /api/v1/decisions/{id}/documents — the documents of a
// decision, each with the act that attached it and what superseded it.
func (a *API) Attachments(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	as, err := a.db.Attachments(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Items[store.Attachment]{Items: as})
}

// Download: GET /api/v1/decisions/{id}/documents/{hash} — the bytes, with
// their type and a download name.
func (a *API) Download(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	hash := c.Param("hash")
	if !workflow.ValidHash(hash) {
		httpx.Fail(c, workflow.Errorf(workflow.CodeNotFound, "本决策没有这个文件", "no such document in this decision"))
		return
	}
	d, content, err := a.db.DocumentOf(c.Request.Context(), httpx.Actor(c), id, hash)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.Download(c, d.Name, d.MIME, d.Alg, d.Hash, content)
}

// Archive: GET /api/v1/decisions/{id}/archive — the decision's archive
// package (一事一档): a zip with manifest.json, the documents, the draft
// texts and the printable index.html, signed; `decisiond archive verify`
// checks it offline. The export is recorded (a security event).
func (a *API) Archive(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	zip, info, err := a.db.ExportArchive(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", httpx.ContentDisposition(info.Name))
	c.Header("X-Content-Hash", info.Alg+":"+info.Hash)
	c.Data(http.StatusOK, "application/zip", zip)
}
