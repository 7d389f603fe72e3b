// The Go twins of bench/06-worker-pool/worker_pool_bench.cpp: the channel
// worker pool of the lesson (a buffered jobs channel, N goroutines ranging
// over it, a buffered results channel closed after wg.Wait()). One op is one
// job, so ns/op pairs with the C++ ns_per_job counter. Run by
// `make bench PHASE=06` when Go is installed, or by hand:
// go test -run '^$' -bench . -benchmem
package poolbench

import (
	"fmt"
	"sync"
	"testing"
)

type job struct {
	id  uint64
	run func() int
}

type result struct {
	id    uint64
	value int
}

type pool struct {
	jobs    chan job
	results chan result
	wg      sync.WaitGroup
}

func newPool(workers, queue int) *pool {
	p := &pool{jobs: make(chan job, queue), results: make(chan result, queue+workers)}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				p.results <- result{j.id, j.run()}
			}
		}()
	}
	return p
}

func (p *pool) shutdown() {
	close(p.jobs)
	p.wg.Wait()
	close(p.results)
}

func tiny() int { return 1 }

var sink int

// BenchmarkPoolThroughput: b.N tiny jobs through a pool of N workers, queue
// 1024; this goroutine submits, another reads the results.
func BenchmarkPoolThroughput(b *testing.B) {
	for _, workers := range []int{1, 2, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			p := newPool(workers, 1024)
			done := make(chan int)
			go func() {
				sum := 0
				for r := range p.results {
					sum += r.value
				}
				done <- sum
			}()
			for i := 0; i < b.N; i++ {
				p.jobs <- job{uint64(i), tiny}
			}
			p.shutdown()
			sink += <-done
		})
	}
}

// BenchmarkSubmitRoundTrip: one idle worker; submit one job, receive its result.
func BenchmarkSubmitRoundTrip(b *testing.B) {
	p := newPool(1, 16)
	for i := 0; i < b.N; i++ {
		p.jobs <- job{uint64(i), tiny}
		sink += (<-p.results).value
	}
	p.shutdown()
}
