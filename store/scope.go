package store

import (
	"context"
	"strings"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// The access policy (workflow.Scope, workflow.AuditScope) written as SQL.
// Every query of decisions, drafts, records, audit events and deadlines
// goes through one of these, so nothing is filtered after fetching.

// scopeSQL is the condition that a decision (alias d) lies in the scope.
func scopeSQL(s workflow.Scope, d string) (string, []any) {
	if s.All {
		return "1=1", nil
	}
	var or []string
	var args []any
	in := func(col string, ids []int64) {
		if len(ids) == 0 {
			return
		}
		or = append(or, col+" IN ("+marks(len(ids))+")")
		for _, id := range ids {
			args = append(args, id)
		}
	}
	in(d+".organ_id", s.OrganIDs)
	in(d+".organ_id", s.ReviewOrganIDs)
	in(d+".undertaking_unit_id", s.UndertakingUnitIDs)
	if len(s.ExecutionUnitIDs) > 0 {
		or = append(or, "EXISTS (SELECT 1 FROM decision_units du WHERE du.decision_id = "+d+".id AND du.unit_id IN ("+marks(len(s.ExecutionUnitIDs))+"))")
		for _, id := range s.ExecutionUnitIDs {
			args = append(args, id)
		}
	}
	if len(or) == 0 {
		return "1=0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// auditScopeSQL is the condition that an audit event (alias a) lies in the
// audit scope.
func auditScopeSQL(s workflow.AuditScope, a string) (string, []any) {
	if s.All {
		return "1=1", nil
	}
	// Correlated (one primary-key lookup per event) rather than IN (list):
	// a list would be built of every decision in scope on each query.
	dc, args := scopeSQL(s.Decisions, "sd")
	if len(s.OrganIDs) == 0 {
		return "EXISTS (SELECT 1 FROM decisions sd WHERE sd.id = " + a + ".decision_id AND " + dc + ")", args
	}
	var pre []any
	for range 2 {
		for _, id := range s.OrganIDs {
			pre = append(pre, id)
		}
	}
	return "(" + a + ".organ_id IN (" + marks(len(s.OrganIDs)) + ") OR EXISTS (SELECT 1 FROM decisions sd WHERE sd.id = " + a + ".decision_id AND (sd.organ_id IN (" +
		marks(len(s.OrganIDs)) + ") OR " + dc + ")))", append(pre, args...)
}

func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// scopeOf is the actor's view scope, with the organ directory read in q.
func (db *DB) scopeOf(ctx context.Context, q sqlx.QueryerContext, actor workflow.Actor) (workflow.Scope, map[int64]workflow.Unit, error) {
	units, err := db.units(ctx, q)
	if err != nil {
		return workflow.Scope{}, nil, err
	}
	return workflow.ViewScope(actor, units), units, nil
}

// executionUnits lists the units a decision's approving meeting named.
func executionUnits(ctx context.Context, q sqlx.QueryerContext, decisionID int64) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, sqlx.Rebind(bindOf(q), `SELECT unit_id FROM decision_units WHERE decision_id = ? ORDER BY unit_id`), decisionID)
	return ids, err
}

// visibleDecision loads a decision the actor may see; one outside their
// scope is not_found, exactly like one that does not exist.
func (db *DB) visibleDecision(ctx context.Context, q sqlx.QueryerContext, actor workflow.Actor, id int64, lock string) (*decisionRow, []int64, map[int64]workflow.Unit, error) {
	return db.visibleDecisionWith(ctx, q, actor, id, lock, nil)
}

// visibleDecisionWith is visibleDecision taking the execution units from
// pre when it read them at the row's version.
func (db *DB) visibleDecisionWith(ctx context.Context, q sqlx.QueryerContext, actor workflow.Actor, id int64, lock string, pre *preRead) (*decisionRow, []int64, map[int64]workflow.Unit, error) {
	row, err := db.loadDecisionRow(ctx, q, id, lock)
	if err != nil {
		return nil, nil, nil, err
	}
	units, err := db.units(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	var exec []int64
	if p := pre.at(row.Version); p != nil {
		exec = p.exec
	} else if exec, err = executionUnits(ctx, q, id); err != nil {
		return nil, nil, nil, err
	}
	if !workflow.CanView(actor, row.decision(), exec, units) {
		return nil, nil, nil, errNotFound
	}
	return row, exec, units, nil
}
