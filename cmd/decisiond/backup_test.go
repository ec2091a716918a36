package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// openServing opens a SQLite store at path as serve would: a signing key,
// the checkpoint journal beside it, the demo organ and users loaded.
func openServing(t *testing.T, path string) (*store.DB, *seeds.Fixture) {
	t.Helper()
	opts := storetest.Options(t, "qinghai")
	opts.CheckpointJournal = path + ".checkpoints"
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, storetest.Base(t, db)
}

// launched creates n decisions in drafting.
func launched(t *testing.T, db *store.DB, fx *seeds.Fixture, n int) []*store.Result {
	t.Helper()
	var out []*store.Result
	for i := range n {
		r, err := fx.Run(context.Background(), db, seeds.FareTitle+"（"+string(rune('甲'+i))+"）", seeds.FareFlags, seeds.FareSteps[:1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestBackup_DuringLoadVerifiesAndRestores: a backup taken while four
// writers keep acting and checkpoints keep being signed verifies (chain,
// tables, journal); restored into an empty location it verifies again and
// answers the same decision list and chain head as the backup; the
// restored database serves new acts. Neither command overwrites anything.
func TestBackup_DuringLoadVerifiesAndRestores(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	db, fx := openServing(t, src)
	decisions := launched(t, db, fx, 4)
	if _, err := db.Checkpoint(t.Context(), "start"); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var acts atomic.Int64
	var wg sync.WaitGroup
	for i, d := range decisions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := d.Decision.Version
			for n := 0; !stop.Load(); n++ {
				act := workflow.Act{Event: workflow.EvReviseDraft, Data: seeds.Data(map[string]any{"text": strings.Repeat("草案", 200) + string(rune('0'+i)) + time.Now().String(), "note": "修改"}),
					Actor: fx.Actors["drafter"]}
				res, err := db.Apply(context.Background(), d.Decision.ID, act, v)
				if err != nil {
					t.Errorf("act during the backup: %v", err)
					return
				}
				v = res.Decision.Version
				acts.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			if _, err := db.Checkpoint(context.Background(), "interval"); err != nil {
				t.Errorf("checkpoint: %v", err)
			}
			time.Sleep(30 * time.Millisecond)
		}
	}()
	for acts.Load() < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	bak := filepath.Join(dir, "backup", "decisiond-backup.db")
	if err := os.Mkdir(filepath.Dir(bak), 0o750); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "backup", "--db", src, "--to", bak)
	during := acts.Load()
	time.Sleep(100 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if err != nil || !strings.HasPrefix(out, "OK: ") || !strings.Contains(out, "signed checkpoints hold") {
		t.Fatalf("backup during load: %v\n%s", err, out)
	}
	if acts.Load() <= during {
		t.Fatalf("the writers stopped during the backup (%d acts before, %d after)", during, acts.Load())
	}
	if out, err := run(t, "verify", "--db", bak, "--checkpoints", bak+".checkpoints"); err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify the backup: %v\n%s", err, out)
	}
	if _, err := run(t, "backup", "--db", src, "--to", bak); workflow.ErrorCode(err) != workflow.CodeValidationFailed {
		t.Fatalf("a backup over an existing file must be refused: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "backup", ".*partial*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}

	dst := filepath.Join(dir, "restored", "decisiond.db")
	out, err = run(t, "restore", "--from", bak, "--db", dst)
	if err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if _, err := run(t, "restore", "--from", bak, "--db", dst); workflow.ErrorCode(err) != workflow.CodeValidationFailed {
		t.Fatalf("a restore into a location that is not empty must be refused: %v", err)
	}
	if out, err := run(t, "verify", "--db", dst, "--checkpoints", dst+".checkpoints"); err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify the restored database: %v\n%s", err, out)
	}

	// The restored database answers the same decision list and chain head
	// as the backup, and the backup is a prefix of the live chain.
	ro := func(path string) *store.DB {
		d, err := store.OpenReadOnly(context.Background(), path, storetest.Options(t, "qinghai"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	b, r := ro(bak), ro(dst)
	list := func(d *store.DB) string {
		ds, _, err := d.Decisions(context.Background(), store.System, store.DecisionFilter{Page: store.Page{PerPage: 200}})
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, x := range ds {
			sb.WriteString(x.Title + "|" + string(x.State) + "|" + x.CurrentDraftHash + "|" + string(rune('0'+x.Version%10)) + "\n")
		}
		return sb.String()
	}
	bseq, bhead, _ := b.ChainHead(context.Background())
	rseq, rhead, _ := r.ChainHead(context.Background())
	if list(b) != list(r) || bseq != rseq || bhead != rhead || bseq == 0 {
		t.Fatalf("restored: head %d %s, backup: head %d %s", rseq, rhead, bseq, bhead)
	}
	lseq, _, _ := db.ChainHead(context.Background())
	if lseq <= bseq {
		t.Fatalf("the live chain (%d) should have gone on past the backup (%d)", lseq, bseq)
	}
	live, _, err := db.Audit(context.Background(), store.System, store.AuditFilter{Page: store.Page{Page: int(bseq), PerPage: 1}})
	if err != nil || len(live) != 1 || live[0].Seq != bseq || live[0].Hash != bhead {
		t.Fatalf("the backup's head is not the live chain's event at seq %d: %+v %v", bseq, live, err)
	}

	// The restored database serves: a new act on it verifies.
	rdb, rfx := func() (*store.DB, *seeds.Fixture) {
		opts := storetest.Options(t, "qinghai")
		d, err := store.Open(context.Background(), dst, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d, &seeds.Fixture{Env: fx.Env, Actors: fx.Actors}
	}()
	if _, err := rfx.Run(context.Background(), rdb, "恢复后的新事项", map[string]any{"category": "other_major"}, nil); err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.Verify(context.Background()); err != nil || !v.OK {
		t.Fatalf("restored database after a new act: %+v %v", v, err)
	}
}

// bigSource makes a SQLite database of a few MB (long drafts) to back up.
func bigSource(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "big.db")
	db, fx := openServing(t, src)
	d := launched(t, db, fx, 1)[0]
	v := d.Decision.Version
	for i := range 6 {
		act := workflow.Act{Event: workflow.EvReviseDraft, Data: seeds.Data(map[string]any{"text": strings.Repeat("第"+string(rune('一'+i))+"稿。", 60000), "note": "长稿"}),
			Actor: fx.Actors["drafter"]}
		res, err := db.Apply(context.Background(), d.Decision.ID, act, v)
		if err != nil {
			t.Fatal(err)
		}
		v = res.Decision.Version
	}
	if _, err := db.Checkpoint(context.Background(), "start"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return src
}

// TestBackup_DiskFullAndReadOnly: a backup onto a disk too small is
// refused as storage_full and leaves nothing there, the source untouched;
// a database on a read-only disk verifies and backs up, but a restore onto
// that disk is refused as storage_read_only, and so is opening the
// database there for writing (migrate, serve) — nothing corrupted.
func TestBackup_DiskFullAndReadOnly(t *testing.T) {
	small := storetest.Tmpfs(t, "1m")
	src := bigSource(t, t.TempDir())
	if fi, err := os.Stat(src); err != nil || fi.Size() < 2<<20 {
		t.Fatalf("source too small to fill the disk: %v %v", fi, err)
	}
	_, err := run(t, "backup", "--db", src, "--to", filepath.Join(small, "b.db"))
	if workflow.ErrorCode(err) != store.CodeStorageFull {
		t.Fatalf("backup onto a full disk: want %s, got %v", store.CodeStorageFull, err)
	}
	if ents, _ := os.ReadDir(small); len(ents) != 0 {
		t.Fatalf("a failed backup left files: %v", ents)
	}
	if out, err := run(t, "verify", "--db", src); err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("the source after a failed backup: %v\n%s", err, out)
	}

	ro := storetest.Tmpfs(t, "64m")
	onRO := filepath.Join(ro, "decisiond.db")
	if out, err := run(t, "restore", "--from", mustBackup(t, src), "--db", onRO); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	storetest.Remount(t, ro, true)
	defer storetest.Remount(t, ro, false)
	if out, err := run(t, "verify", "--db", onRO); err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify on a read-only disk: %v\n%s", err, out)
	}
	copyOut := filepath.Join(t.TempDir(), "from-ro.db")
	if out, err := run(t, "backup", "--db", onRO, "--to", copyOut); err != nil {
		t.Fatalf("backup of a database on a read-only disk: %v\n%s", err, out)
	}
	if _, err := run(t, "restore", "--from", copyOut, "--db", filepath.Join(ro, "other.db")); workflow.ErrorCode(err) != store.CodeStorageReadOnly {
		t.Fatalf("restore onto a read-only disk: want %s, got %v", store.CodeStorageReadOnly, err)
	}
	if _, err := run(t, "migrate", "--db", onRO); workflow.ErrorCode(err) != store.CodeStorageReadOnly {
		t.Fatalf("opening a database on a read-only disk for writing: want %s, got %v", store.CodeStorageReadOnly, err)
	}
}

// mustBackup backs src up beside it and returns the backup's path.
func mustBackup(t *testing.T, src string) string {
	t.Helper()
	bak := filepath.Join(t.TempDir(), "b.db")
	if out, err := run(t, "backup", "--db", src, "--to", bak); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	return bak
}
