package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestPostgres_AppRoleCannotDisableTriggers: the deployment guide runs the
// server as a role that does not own the tables. That role writes acts
// (inserts the audit chain) but cannot disable or drop the triggers that
// keep the record append-only, nor alter the audit table; updates and
// deletes stay refused.
func TestPostgres_AppRoleCannotDisableTriggers(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("PostgreSQL test skipped: %s is not set", storetest.PostgresEnv)
	}
	var pg storetest.Backend
	for _, b := range storetest.Backends(t) {
		if b.Name == "postgres" {
			pg = b
		}
	}
	owner, dsn := pg.Open(t) // migrated by the owner (the test's superuser)
	fx := storetest.Base(t, owner)
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	b := make([]byte, 4)
	rand.Read(b)
	role := "decisiond_app_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, s := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + role,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ` + schema + ` TO ` + role,
	} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() {
		a, _ := sql.Open("pgx", dsn)
		a.Exec(`DROP OWNED BY ` + role)
		a.Exec(`DROP ROLE ` + role)
		a.Close()
	})
	u.User = url.User(role)
	appDSN := u.String()
	app, err := store.Open(context.Background(), appDSN, storetest.Options(t, "qinghai"))
	if err != nil {
		t.Fatalf("the app role opens the migrated database: %v", err)
	}
	defer app.Close()
	res, err := fx.Run(ctx, app, seeds.FareTitle, seeds.FareFlags, stepsUntil(workflow.EvStartParticipation))
	if err != nil {
		t.Fatalf("the app role performs acts: %v", err)
	}
	if res.Decision.State != workflow.StDrafting {
		t.Fatal(res.Decision.State)
	}
	for _, s := range []string{
		`ALTER TABLE audit_events DISABLE TRIGGER ALL`,
		`ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`,
		`DROP TRIGGER audit_events_immutable ON audit_events`,
		`ALTER TABLE audit_events ADD COLUMN x TEXT`,
		`UPDATE audit_events SET actor_name = 'x' WHERE seq = 1`,
		`DELETE FROM audit_events WHERE seq = 1`,
		`TRUNCATE audit_events CASCADE`,
		`ALTER TABLE records DISABLE TRIGGER ALL`,
	} {
		if _, err := app.ExecRaw(ctx, s); err == nil {
			t.Errorf("the app role could: %s", s)
		} else if !strings.Contains(err.Error(), "owner") && !strings.Contains(err.Error(), "immutable") && !strings.Contains(err.Error(), "permission") {
			t.Errorf("%s: refused for an unexpected reason: %v", s, err)
		}
	}
	if v, _ := app.Verify(ctx); !v.OK {
		t.Fatalf("the chain verifies: %+v", v)
	}
}
