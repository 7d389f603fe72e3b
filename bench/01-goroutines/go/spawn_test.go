// The Go twins of bench/01-goroutines/spawn_bench.cpp: same scenarios, same
// names (BenchmarkSpawnJoin pairs with SpawnJoin/...). Run by `make bench PHASE=01`
// when Go is installed, or by hand: go test -run '^$' -bench . -benchmem
package goroutines

import (
	"sync"
	"testing"
)

// A goroutine that does nothing, started and waited for.
func BenchmarkSpawnJoin(b *testing.B) {
	var wg sync.WaitGroup
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
}

func BenchmarkWaitGroupAddDone(b *testing.B) {
	var wg sync.WaitGroup
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		wg.Done()
	}
}

func BenchmarkWaitGroupContended(b *testing.B) {
	var wg sync.WaitGroup
	b.SetParallelism(1) // GOMAXPROCS goroutines, like Threads(2) on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			wg.Add(1)
			wg.Done()
		}
	})
}

// Main: Add(1), wake a worker goroutine, Wait().
func BenchmarkWaitGroupRoundTrip(b *testing.B) {
	var wg sync.WaitGroup
	wake := make(chan struct{})
	go func() {
		for range wake {
			wg.Done()
		}
	}()
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		wake <- struct{}{}
		wg.Wait()
	}
	close(wake)
}
