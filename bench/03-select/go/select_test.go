// The Go twins of bench/03-select/select_bench.cpp: same scenarios, same
// names (BenchmarkSelectFanIn2 pairs with SelectFanIn2/...). One op is one
// item received (SelectFanIn2) or one send + select (SelectIdle), as one
// iteration is in C++. Run by `make bench PHASE=03` when Go is installed, or
// by hand: go test -run '^$' -bench . -benchmem
package selectbench

import (
	"testing"
	"time"
)

// reportItems adds the items/s column the C++ benchmarks report.
// (b.Elapsed would do, but it arrived in Go 1.20; go.mod says 1.19.)
func reportItems(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "items/s")
}

// sink keeps the received values alive.
var sink int

// Two producer goroutines send b.N ints between them, each into its own
// channel of capacity 1024; the benchmark goroutine selects on both and
// receives them all.
func BenchmarkSelectFanIn2(b *testing.B) {
	a, c := make(chan int, 1024), make(chan int, 1024)
	start := time.Now()
	produce := func(ch chan<- int, share int) {
		for i := 0; i < share; i++ {
			ch <- i
		}
	}
	go produce(a, b.N-b.N/2)
	go produce(c, b.N/2)
	for i := 0; i < b.N; i++ {
		select {
		case v := <-a:
			sink = v
		case v := <-c:
			sink = v
		}
	}
	// Every item was received, so both producers are done: closing ends nothing.
	close(a)
	close(c)
	reportItems(b, start)
}

// Send into a buffered channel, then select on it and on an empty channel:
// the case is ready at once. Two cases, because the compiler turns a one-case
// select into a plain receive (and one with a default into a non-blocking one).
func BenchmarkSelectIdle(b *testing.B) {
	ready, empty := make(chan int, 1), make(chan int)
	for i := 0; i < b.N; i++ {
		ready <- i
		select {
		case v := <-ready:
			sink = v
		case v := <-empty:
			sink = v
		}
	}
}

// Nothing is ready: every select takes its default.
func BenchmarkSelectDefault(b *testing.B) {
	x, y := make(chan int, 1), make(chan int, 1)
	defaults := 0
	for i := 0; i < b.N; i++ {
		select {
		case v := <-x:
			sink = v
		case v := <-y:
			sink = v
		default:
			defaults++
		}
	}
	sink = defaults
}
