package httpx

import (
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

const actorKey = "decisiond.actor"

// SetActor records the authenticated person of the request.
func SetActor(c *gin.Context, a workflow.Actor) { c.Set(actorKey, a) }

// ActorOf returns the authenticated person of the request, if any.
func ActorOf(c *gin.Context) (workflow.Actor, bool) {
	v, ok := c.Get(actorKey)
	if !ok {
		return workflow.Actor{}, false
	}
	a, ok := v.(workflow.Actor)
	return a, ok
}

// Actor returns the authenticated person; only call it behind the
// authentication middleware.
func Actor(c *gin.Context) workflow.Actor {
	a, _ := ActorOf(c)
	return a
}
