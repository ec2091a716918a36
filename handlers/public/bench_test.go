package public_test

import (
	"io"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

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
			if len(lat) == 0 {
				return
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
