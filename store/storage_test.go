package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestStorage_DiskFullRefusesCleanly: when the database's disk fills up an
// act is refused with storage_full (a clear 503, not an internal error)
// and leaves nothing behind; once there is room again the same act (same
// expected version) is done, and the whole record verifies.
func TestStorage_DiskFullRefusesCleanly(t *testing.T) {
	dir := storetest.Tmpfs(t, "16m")
	db, err := store.Open(ctx, filepath.Join(dir, "decisiond.db"), storetest.Options(t, "qinghai"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fx := storetest.Base(t, db)
	res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps[:1])
	if err != nil {
		t.Fatal(err)
	}
	filler := storetest.Fill(t, dir)
	act := workflow.Act{Event: workflow.EvReviseDraft, Data: raw(map[string]any{"text": strings.Repeat("满盘测试。", 40000), "note": "长稿"}), Actor: fx.Actors["drafter"]}
	_, err = db.Apply(ctx, res.Decision.ID, act, res.Decision.Version)
	mustCode(t, err, store.CodeStorageFull)
	d, err := db.Decision(ctx, store.System, res.Decision.ID)
	if err != nil || d.Version != res.Decision.Version || d.CurrentDraftHash != "" {
		t.Fatalf("a refused act left something: %+v %v", d, err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, res.Decision.ID, act, res.Decision.Version); err != nil {
		t.Fatalf("with room again: %v", err)
	}
	if v, err := db.Verify(ctx); err != nil || !v.OK {
		t.Fatalf("verify after a full disk: %+v %v", v, err)
	}
}
