// Package api is the JSON API v1: one file per resource, typed response
// structs. Handlers keep one order — identify, load, decode, validate,
// apply, one response call — and never write SQL.
package api

import (
	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"
)

// API holds what the JSON handlers need.
type API struct {
	db          *store.DB
	proc        *workflow.Procedure
	maxDocument int64
}

// New builds the JSON API over a store and the procedure it applies;
// maxDocument bounds an uploaded document (0: DefaultMaxDocument).
func New(db *store.DB, proc *workflow.Procedure, maxDocument int64) *API {
	if maxDocument <= 0 {
		maxDocument = DefaultMaxDocument
	}
	return &API{db: db, proc: proc, maxDocument: maxDocument}
}

// Items is a list response without paging.
type Items[T any] struct {
	Items []T `json:"items"`
}

// Paged is a list response with paging.
type Paged[T any] struct {
	Items []T            `json:"items"`
	Meta  httpx.ListMeta `json:"meta"`
}

// nonNil turns a nil slice into an empty one, so lists are [] not null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
