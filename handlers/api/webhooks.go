package api

import (
	"encoding/json"
	"net/http"
	"slices"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// WebhookView is a subscription; Secret is set only in the answer that
// made (or rotated) it.
type WebhookView struct {
	store.Webhook
	Secret       string `json:"secret,omitempty"`
	SignatureAlg string `json:"signature_alg"`
}

func (a *API) webhookView(w *store.Webhook, secret string) WebhookView {
	return WebhookView{Webhook: *w, Secret: secret, SignatureAlg: store.SignatureAlg(a.db.Crypto())}
}

// createWebhookRequest is the body of POST /api/v1/webhooks.
type createWebhookRequest struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	OrganID     *int64   `json:"organ_id"`
	Description string   `json:"description"`
}

// updateWebhookRequest is the body of PUT /api/v1/webhooks/{id}: absent
// members keep their value; organ_id null means every organ.
type updateWebhookRequest struct {
	URL          *string         `json:"url"`
	Events       *[]string       `json:"events"`
	OrganID      json.RawMessage `json:"organ_id"`
	Description  *string         `json:"description"`
	Active       *bool           `json:"active"`
	RotateSecret bool            `json:"rotate_secret"`
}

// Webhooks: GET /api/v1/webhooks — the subscriptions (system and audit
// administrators), without their secrets.
func (a *API) Webhooks(c *gin.Context) {
	hooks, err := a.db.Webhooks(c.Request.Context(), httpx.Actor(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out := make([]WebhookView, len(hooks))
	for i := range hooks {
		out[i] = a.webhookView(&hooks[i], "")
	}
	c.PureJSON(http.StatusOK, Items[WebhookView]{Items: out})
}

// CreateWebhook: POST /api/v1/webhooks {url, events[], organ_id?,
// description?} (system administrator, audited) → 201 with the secret,
// shown this once.
func (a *API) CreateWebhook(c *gin.Context) {
	var req createWebhookRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	w, secret, err := a.db.CreateWebhook(c.Request.Context(), httpx.Actor(c), store.NewWebhook{URL: req.URL, Events: req.Events,
		OrganID: req.OrganID, Description: req.Description})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusCreated, a.webhookView(w, secret))
}

// UpdateWebhook: PUT /api/v1/webhooks/{id} {url?, events?, organ_id?
// (null: every organ), description?, active?, rotate_secret?} (system
// administrator, audited).
func (a *API) UpdateWebhook(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req updateWebhookRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	ch := store.WebhookChange{URL: req.URL, Events: req.Events, Description: req.Description, Active: req.Active, RotateSecret: req.RotateSecret}
	switch {
	case len(req.OrganID) == 0:
	case string(req.OrganID) == "null":
		ch.AllOrgans = true
	default:
		var n int64
		if err := json.Unmarshal(req.OrganID, &n); err != nil || n < 1 {
			httpx.Fail(c, httpx.Invalid("organ_id", "应为决策机关编号或 null", "must be an organ id or null"))
			return
		}
		ch.OrganID = &n
	}
	w, secret, err := a.db.UpdateWebhook(c.Request.Context(), httpx.Actor(c), id, ch)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, a.webhookView(w, secret))
}

// Deliveries: GET /api/v1/webhook-deliveries?status=pending|delivered|dead
// &webhook=&page= — every delivery's outcome, newest first; status=dead is
// the dead-letter list (system and audit administrators).
func (a *API) Deliveries(c *gin.Context) {
	var inv workflow.Invalid
	f := store.DeliveryFilter{WebhookID: httpx.QueryID(c, "webhook", &inv), Page: httpx.PageOf(c, &inv)}
	if s, ok := c.GetQuery("status"); ok {
		if !slices.Contains(store.DeliveryStatuses, s) {
			inv.Add("status", "状态应为 pending、delivered 或 dead", "status must be pending, delivered or dead")
		}
		f.Status = &s
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	ds, total, err := a.db.Deliveries(c.Request.Context(), httpx.Actor(c), f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Paged[store.Delivery]{Items: nonNil(ds), Meta: httpx.Meta(f.Page, total)})
}

// Delivery: GET /api/v1/webhook-deliveries/{id} — one delivery with every
// attempt's outcome.
func (a *API) Delivery(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	d, err := a.db.Delivery(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, d)
}

// ReplayDelivery: POST /api/v1/webhook-deliveries/{id}/replay — send a
// dead delivery again (system administrator, audited).
func (a *API) ReplayDelivery(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	d, err := a.db.ReplayDelivery(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, d)
}
