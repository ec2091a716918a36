package public_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/public"
	"decisiond/store"
	"decisiond/store/storetest"
)

// BenchmarkPublicCatalogue measures the public catalogue page
// (/public/catalogues/2026, the demo's current version with its 完成情况)
// under concurrent anonymous readers over real HTTP, on SQLite: requests
// per second and the 99th-percentile latency. "cached" is the server as it
// runs (the page is rendered once per audit-chain head and day; each
// request still reads the head); "uncached" renders every request (two
// catalogue reads, the year review, the template).
//
//	go test -run='^$' -bench=PublicCatalogue -benchtime=5s ./handlers/public
func BenchmarkPublicCatalogue(b *testing.B) {
	for _, mode := range []struct {
		name    string
		noCache bool
	}{{"cached", false}, {"uncached", true}} {
		b.Run(mode.name, func(b *testing.B) {
			e := handlerstest.NewWith(b, func(tb testing.TB) (*store.DB, string) { return storetest.OpenSQLite(tb, "qinghai") },
				handlerstest.Options{Demo: true, Public: public.Config{NoCache: mode.noCache}})
			url := e.Srv.URL + "/public/catalogues/2026"
			client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
			defer client.CloseIdleConnections()
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(8) // 8 readers per CPU
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					res, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("HTTP %d", res.StatusCode)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			reportLatencies(b, lat, "req/s")
		})
	}
}

// BenchmarkCommentIntake measures the public's comments taken over real
// HTTP (JSON posts to /public/consultations/{id}/comments, the demo's
// consultation) by many concurrent submitters (32 per CPU), on SQLite
// (synchronous=FULL): comments per second and the 99th-percentile
// latency of an acknowledged comment. "group-commit" is the server as it
// runs (comments batched into one durable commit); "one-commit-each" turns
// group commit off for comparison. Afterwards every acknowledged receipt
// must be in the database.
//
//	go test -run='^$' -bench=CommentIntake -benchtime=2000x ./handlers/public
func BenchmarkCommentIntake(b *testing.B) {
	for _, mode := range []struct {
		name    string
		noGroup bool
	}{{"group-commit", false}, {"one-commit-each", true}} {
		b.Run(mode.name, func(b *testing.B) {
			opts := storetest.Options(b, "qinghai")
			opts.NoGroupCommit = mode.noGroup
			e := handlerstest.NewWith(b, func(tb testing.TB) (*store.DB, string) { return storetest.Backends(tb)[0].OpenWith(tb, opts) },
				handlerstest.Options{Demo: true, Limits: handlers.Limits{SignIn: 10, Failing: 10, Expensive: 10, Comments: 1 << 30}})
			url := fmt.Sprintf("%s/public/consultations/%d/comments", e.Srv.URL, e.Demo.Decisions[consultationTitle])
			client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
			defer client.CloseIdleConnections()
			body := []byte(`{"text":"` + strings.Repeat("建议延长课后服务时间。", 20) + `","name":"家长"}`)
			b.SetParallelism(32)
			b.ResetTimer()
			lat, receipts := postAll(b, func() func() (*http.Response, error) {
				return func() (*http.Response, error) { return client.Post(url, "application/json", bytes.NewReader(body)) }
			})
			b.StopTimer()
			reportLatencies(b, lat, "comments/s")
			for _, no := range receipts {
				if _, err := e.DB.ReceiptOf(context.Background(), no); err != nil {
					b.Fatalf("acknowledged receipt %s is missing: %v", no, err)
				}
			}
		})
	}
}

// postAll has every parallel submitter post (each with the poster mk makes
// it) until the benchmark's count is done; it returns each post's latency
// and every receipt acknowledged (201).
func postAll(b *testing.B, mk func() func() (*http.Response, error)) ([]time.Duration, []string) {
	var mu sync.Mutex
	var lat []time.Duration
	var receipts []string
	b.RunParallel(func(pb *testing.PB) {
		post := mk()
		var mine []time.Duration
		var got []string
		for pb.Next() {
			t0 := time.Now()
			res, err := post()
			if err != nil {
				b.Error(err)
				return
			}
			var rc struct{ Receipt string }
			err = json.NewDecoder(res.Body).Decode(&rc)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated || err != nil {
				b.Errorf("HTTP %d %v", res.StatusCode, err)
				return
			}
			mine = append(mine, time.Since(t0))
			got = append(got, rc.Receipt)
		}
		mu.Lock()
		lat, receipts = append(lat, mine...), append(receipts, got...)
		mu.Unlock()
	})
	return lat, receipts
}

// reportLatencies reports the requests per second (as unit) and the 99th
// percentile latency of a parallel benchmark, instead of ns/op.
func reportLatencies(b *testing.B, lat []time.Duration, unit string) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), unit)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCommentAttachment measures comments with a file, posted over
// HTTP as the page's multipart form by 8 concurrent submitters on SQLite
// (group commit, synchronous=FULL): comments per second, the 99th
// percentile latency, and the bytes the server and client allocate per
// comment (B/op), for a distinct PDF of each size. The files are stored in
// the database; every acknowledged receipt must name its file afterwards.
//
//	go test -run='^$' -bench=CommentAttachment -benchtime=200x ./handlers/public
func BenchmarkCommentAttachment(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20, 10 << 20} {
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			e := handlerstest.NewWith(b, storetest.Backends(b)[0].Open,
				handlerstest.Options{Demo: true, Limits: handlers.Limits{SignIn: 10, Failing: 10, Expensive: 10, Comments: 1 << 30}})
			url := fmt.Sprintf("%s/public/consultations/%d/comments", e.Srv.URL, e.Demo.Decisions[consultationTitle])
			client := &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}
			defer client.CloseIdleConnections()
			// One body per submitter, its file made distinct per post by
			// rewriting a counter in place (no allocation in the loop).
			var n sync.Mutex
			next := 0
			form := func() ([]byte, string, int) {
				var buf bytes.Buffer
				w := multipart.NewWriter(&buf)
				w.WriteField("text", "问卷结果见附件。")
				fw, _ := w.CreateFormFile("attachment", "问卷结果.pdf")
				fw.Write(pdfOf(size, "00000000"))
				w.Close()
				return buf.Bytes(), w.FormDataContentType(), bytes.Index(buf.Bytes(), []byte("% 00000000")) + 2
			}
			b.SetParallelism(4) // 8 submitters on 2 cores
			b.ReportAllocs()
			b.ResetTimer()
			lat, receipts := postAll(b, func() func() (*http.Response, error) {
				body, ctype, at := form()
				return func() (*http.Response, error) {
					n.Lock()
					next++
					copy(body[at:], fmt.Sprintf("%08d", next))
					n.Unlock()
					return client.Post(url, ctype, bytes.NewReader(body))
				}
			})
			b.StopTimer()
			reportLatencies(b, lat, "comments/s")
			for _, no := range receipts {
				if r, err := e.DB.ReceiptOf(context.Background(), no); err != nil || r.Attachment == nil || r.Attachment.Size != int64(size) {
					b.Fatalf("acknowledged receipt %s: %+v %v", no, r, err)
				}
			}
		})
	}
}
