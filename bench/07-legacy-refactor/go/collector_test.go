// Go twin of bench/07-legacy-refactor/collector_bench.cpp: a burst of 10,000
// items into the worker-pool collector (4 workers, a buffered channel of
// 1024) and into the half-fixed legacy aggregator (a mutex on the map, one
// goroutine per request). ns/op is per burst: divide by 10,000 for an item.
//
//	go test -run '^$' -bench .
package legacyrefactor

import (
	"sync"
	"testing"
)

const burst = 10000

var keys = []string{"http.requests", "http.errors", "db.queries", "cache.hits"}

type store struct {
	mu sync.RWMutex
	m  map[string]int
}

func (s *store) Inc(k string) { s.mu.Lock(); s.m[k]++; s.mu.Unlock() }

type collector struct {
	jobs chan string
	wg   sync.WaitGroup
}

func newCollector(s *store, workers, capacity int) *collector {
	c := &collector{jobs: make(chan string, capacity)}
	for i := 0; i < workers; i++ {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for k := range c.jobs {
				s.Inc(k)
			}
		}()
	}
	return c
}

func (c *collector) Submit(k string) { c.jobs <- k }
func (c *collector) Shutdown()       { close(c.jobs); c.wg.Wait() }

func BenchmarkBurstCollector(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s := &store{m: map[string]int{}}
		c := newCollector(s, 4, 1024)
		for j := 0; j < burst; j++ {
			c.Submit(keys[j%4])
		}
		c.Shutdown()
	}
}

func BenchmarkBurstLegacyHalfFix(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s := &store{m: map[string]int{}}
		var wg sync.WaitGroup
		for j := 0; j < burst; j++ {
			wg.Add(1)
			go func(k string) { defer wg.Done(); s.Inc(k) }(keys[j%4])
		}
		wg.Wait()
	}
}
