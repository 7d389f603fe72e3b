// The Go twins of bench/10-resilience/resilience_bench.cpp. Standard library
// only (no network for modules here), so the limiter is
// golang.org/x/time/rate's algorithm in its smallest form: a mutex, the
// tokens as a float64 and the time they were counted at, brought up to date
// on every call (the same bucket as go::RateLimiter). The scrape is net/http's
// server on loopback and its client with keep-alives off (a new connection
// per fetch, as go::HttpFetcher makes), 8 goroutines.
// Run by `make bench PHASE=10` when Go is installed, or by hand:
// go test -run '^$' -bench . -benchmem
package resiliencebench

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- the token bucket (x/time/rate's reserveN, allow and wait) ----

type limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// reserve takes n tokens at now and returns how long to wait; ok false if
// the wait would exceed maxWait (then nothing is taken).
func (l *limiter) reserve(now time.Time, n float64, maxWait time.Duration) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tokens := l.tokens
	if now.After(l.last) {
		tokens = math.Min(l.burst, tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	tokens -= n
	var wait time.Duration
	if tokens < 0 {
		wait = time.Duration(math.Ceil(-tokens / l.rate * 1e9))
	}
	if wait > maxWait {
		return 0, false
	}
	if now.After(l.last) {
		l.last = now
	}
	l.tokens = tokens
	return wait, true
}

func (l *limiter) allow() bool {
	_, ok := l.reserve(time.Now(), 1, 0)
	return ok
}

func (l *limiter) wait(ctx context.Context) error {
	d, _ := l.reserve(time.Now(), 1, time.Duration(math.MaxInt64))
	if d == 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// BenchmarkLimiterAllow: allow() on a limiter that never runs out, b.N
// calls shared by 1 or 8 goroutines: ns/op is wall time per call over all of
// them, the inverse of the total throughput (as Google Benchmark's real time
// with N threads).
func BenchmarkLimiterAllow(b *testing.B) {
	for _, goroutines := range []int{1, 8} {
		b.Run(fmt.Sprintf("threads:%d", goroutines), func(b *testing.B) {
			l := newLimiter(1e12, 1<<30)
			var wg sync.WaitGroup
			b.ResetTimer()
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				n := b.N / goroutines
				if g < b.N%goroutines {
					n++
				}
				go func(n int) {
					defer wg.Done()
					for i := 0; i < n; i++ {
						if !l.allow() {
							b.Error("limiter ran out")
							return
						}
					}
				}(n)
			}
			wg.Wait()
		})
	}
}

// BenchmarkLimiterAccuracy: wait() for one second at 1000/s, burst 1 or 10;
// events beyond the full bucket's.
func BenchmarkLimiterAccuracy(b *testing.B) {
	for _, burst := range []int{1, 10} {
		b.Run(fmt.Sprintf("burst:%d", burst), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				l := newLimiter(1000, burst)
				end := time.Now().Add(time.Second)
				events := -burst // the full bucket's events at time 0
				for time.Now().Before(end) {
					if err := l.wait(context.Background()); err != nil {
						b.Fatal(err)
					}
					events++
				}
				b.ReportMetric(100*math.Abs(float64(events)-1000)/1000, "error_pct")
				b.ReportMetric(float64(events), "events")
			}
		})
	}
}

// BenchmarkScrapeThroughput: 1000 pages of 2 KiB from a loopback server, 8
// workers; ns/op is per 1000 pages (the C++ ScrapeThroughput iteration).
func BenchmarkScrapeThroughput(b *testing.B) {
	page := strings.Repeat("x", 2048)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, page)
	}))
	defer server.Close()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	const pages = 1000
	start := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		jobs := make(chan string, 64)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for url := range jobs {
					resp, err := client.Get(url)
					if err != nil {
						b.Error(err)
						continue
					}
					io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<20))
					resp.Body.Close()
				}
			}()
		}
		for p := 0; p < pages; p++ {
			jobs <- fmt.Sprintf("%s/page/%d", server.URL, p)
		}
		close(jobs)
		wg.Wait()
	}
	b.ReportMetric(float64(pages)*float64(b.N)/time.Since(start).Seconds(), "pages/s")
}
