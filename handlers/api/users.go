package api

import (
	"encoding/json"
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// UserView is a person as the administration sees them (never a password
// hash).
type UserView struct {
	ID                int64           `json:"id"`
	Name              string          `json:"name"`
	DisplayName       string          `json:"display_name"`
	Roles             []workflow.Role `json:"roles"`
	UnitID            *int64          `json:"unit_id"`
	CreatedAt         string          `json:"created_at"`
	HasPassword       bool            `json:"has_password"`
	PasswordSetAt     *string         `json:"password_set_at"`
	PasswordTemporary bool            `json:"password_temporary"`
	Demo              bool            `json:"demo"`
	Disabled          bool            `json:"disabled"`
	DisabledAt        *string         `json:"disabled_at"`
	LockedUntil       *string         `json:"locked_until"`
}

func userView(u *store.User) UserView {
	return UserView{ID: u.ID, Name: u.Name, DisplayName: u.DisplayName, Roles: u.RoleList(), UnitID: u.UnitID, CreatedAt: u.CreatedAt,
		HasPassword: u.PasswordHash != "", PasswordSetAt: u.PasswordSetAt, PasswordTemporary: u.PasswordTemporary, Demo: u.Demo,
		Disabled: u.Disabled(), DisabledAt: u.DisabledAt, LockedUntil: u.LockedUntil}
}

// unitRef is a unit named by its id, full name, short name or unique suffix.
type unitRef struct{ raw json.RawMessage }

func (u *unitRef) UnmarshalJSON(b []byte) error { u.raw = append([]byte(nil), b...); return nil }

func (a *API) resolveUnit(c *gin.Context, field string, ref *unitRef) (*int64, error) {
	if ref == nil || len(ref.raw) == 0 || string(ref.raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(ref.raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(ref.raw, &n); err != nil {
			return nil, httpx.Invalid(field, "应为单位编号或名称", "must be a unit id or name")
		}
		s = n.String()
	}
	u, err := a.db.ResolveUnit(c.Request.Context(), s)
	if err != nil {
		if e, ok := workflow.AsError(err); ok && e.Code == workflow.CodeNotFound {
			return nil, httpx.Invalid(field, e.ZH, e.EN)
		}
		if e, ok := workflow.AsError(err); ok && e.Code == workflow.CodeValidationFailed && len(e.Fields) > 0 {
			return nil, httpx.Invalid(field, e.Fields[0].ZH, e.Fields[0].EN)
		}
		return nil, err
	}
	return &u.ID, nil
}

// The bodies of the administration's requests.
type (
	createUserRequest struct {
		Name        string   `json:"name"`
		DisplayName string   `json:"display_name"`
		Unit        *unitRef `json:"unit"`
		Roles       []string `json:"roles"`
		Head        bool     `json:"head"`
		Password    string   `json:"password"`
		Temporary   bool     `json:"temporary"`
	}
	setRolesRequest struct {
		Roles []string `json:"roles"`
	}
	setUserUnitRequest struct {
		Unit *unitRef `json:"unit"`
	}
	setPasswordRequest struct {
		Password  string `json:"password"`
		Temporary bool   `json:"temporary"`
	}
	changeMyPasswordRequest struct {
		OldPassword string `json:"old_password"`
		Password    string `json:"password"`
	}
)

// Users: GET /api/v1/users — every person (the administrators).
func (a *API) Users(c *gin.Context) {
	us, err := a.db.Users(c.Request.Context(), httpx.Actor(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out := make([]UserView, len(us))
	for i := range us {
		out[i] = userView(&us[i])
	}
	c.PureJSON(http.StatusOK, Items[UserView]{Items: out})
}

// Me: GET /api/v1/me — the caller.
func (a *API) Me(c *gin.Context) {
	u, err := a.db.UserByID(c.Request.Context(), httpx.Actor(c).UserID)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, userView(u))
}

// CreateUser: POST /api/v1/users {name, display_name, unit, roles, head,
// password, temporary} — the system administrator creates the account;
// roles need the security administrator (三员分立).
func (a *API) CreateUser(c *gin.Context) {
	var req createUserRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	unit, err := a.resolveUnit(c, "unit", req.Unit)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if req.Password != "" {
		if err := store.CheckPasswordPolicy(req.Password, req.Name); err != nil {
			httpx.Fail(c, err)
			return
		}
	}
	who := httpx.Actor(c)
	u, err := a.db.CreateUser(c.Request.Context(), who, store.NewUser{Name: req.Name, DisplayName: req.DisplayName, Roles: req.Roles, UnitID: unit, Head: req.Head})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if req.Password != "" {
		if err := a.db.SetPassword(c.Request.Context(), who, u.ID, req.Password, req.Temporary); err != nil {
			httpx.Fail(c, err)
			return
		}
		if u, err = a.db.UserByID(c.Request.Context(), u.ID); err != nil {
			httpx.Fail(c, err)
			return
		}
	}
	c.PureJSON(http.StatusCreated, userView(u))
}

// userChange runs one administrative change of the user in the path.
func (a *API) userChange(c *gin.Context, fn func(id int64) (*store.User, error)) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	u, err := fn(id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, userView(u))
}

// SetRoles: PUT /api/v1/users/{id}/roles {"roles": [...]} (security administrator).
func (a *API) SetRoles(c *gin.Context) {
	var req setRolesRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	a.userChange(c, func(id int64) (*store.User, error) {
		return a.db.SetRoles(c.Request.Context(), httpx.Actor(c), id, req.Roles)
	})
}

// SetUserUnit: PUT /api/v1/users/{id}/unit {"unit": id or name} (system administrator).
func (a *API) SetUserUnit(c *gin.Context) {
	var req setUserUnitRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	unit, err := a.resolveUnit(c, "unit", req.Unit)
	if err == nil && unit == nil {
		err = httpx.Invalid("unit", "必填", "is required")
	}
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	a.userChange(c, func(id int64) (*store.User, error) {
		return a.db.SetUserUnit(c.Request.Context(), httpx.Actor(c), id, *unit)
	})
}

// DisableUser: POST /api/v1/users/{id}/disable (system administrator): the
// person's sessions and tokens stop at once.
func (a *API) DisableUser(c *gin.Context) {
	a.userChange(c, func(id int64) (*store.User, error) {
		return a.db.SetDisabled(c.Request.Context(), httpx.Actor(c), id, true)
	})
}

// EnableUser: POST /api/v1/users/{id}/enable (system administrator).
func (a *API) EnableUser(c *gin.Context) {
	a.userChange(c, func(id int64) (*store.User, error) {
		return a.db.SetDisabled(c.Request.Context(), httpx.Actor(c), id, false)
	})
}

// UnlockUser: POST /api/v1/users/{id}/unlock (security administrator).
func (a *API) UnlockUser(c *gin.Context) {
	a.userChange(c, func(id int64) (*store.User, error) { return a.db.Unlock(c.Request.Context(), httpx.Actor(c), id) })
}

// SetPassword: PUT /api/v1/users/{id}/password {"password", "temporary"}
// (system administrator; the password is never echoed or audited).
func (a *API) SetPassword(c *gin.Context) {
	var req setPasswordRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	a.userChange(c, func(id int64) (*store.User, error) {
		if err := a.db.SetPassword(c.Request.Context(), httpx.Actor(c), id, req.Password, req.Temporary); err != nil {
			return nil, err
		}
		return a.db.UserByID(c.Request.Context(), id)
	})
}

// ChangeMyPassword: PUT /api/v1/me/password {"old_password", "password"}.
func (a *API) ChangeMyPassword(c *gin.Context) {
	var req changeMyPasswordRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	who := httpx.Actor(c)
	if err := a.db.ChangePassword(c.Request.Context(), who, req.OldPassword, req.Password); err != nil {
		httpx.Fail(c, err)
		return
	}
	a.Me(c)
}
