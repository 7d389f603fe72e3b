// The Go twins of bench/02-channels/chan_bench.cpp: same scenarios, same
// names (BenchmarkBuffered1P1C pairs with Buffered1P1C/...). One op is one
// item (one round trip for the ping-pong), as one iteration is in C++. Run by
// `make bench PHASE=02` when Go is installed, or by hand:
// go test -run '^$' -bench . -benchmem
package channels

import (
	"sync"
	"testing"
	"time"
)

// reportItems adds the items/s column the C++ benchmarks report.
// (b.Elapsed would do, but it arrived in Go 1.20; go.mod says 1.19.)
func reportItems(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "items/s")
}

// buffered: producers goroutines send b.N ints in all through one channel of
// capacity 1024, as many consumer goroutines receive them, each its share.
func buffered(b *testing.B, producers int) {
	ch := make(chan int, 1024)
	start := time.Now()
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		share := b.N / producers
		if p == 0 {
			share += b.N % producers
		}
		wg.Add(2)
		go func() { // a producer
			defer wg.Done()
			for i := 0; i < share; i++ {
				ch <- i
			}
		}()
		go func() { // a consumer: as many items as its producer sends
			defer wg.Done()
			for i := 0; i < share; i++ {
				<-ch
			}
		}()
	}
	wg.Wait()
	reportItems(b, start)
}

// One producer, one consumer.
func BenchmarkBuffered1P1C(b *testing.B) { buffered(b, 1) }

// Two producers, two consumers, one channel.
func BenchmarkBuffered2P2C(b *testing.B) { buffered(b, 2) }

// Send on ping, an echo goroutine sends it back on pong, receive from pong:
// one op is one round trip through two unbuffered channels.
func BenchmarkUnbufferedPingPong(b *testing.B) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < b.N; i++ {
		ping <- i
		<-pong
	}
	close(ping)
}
