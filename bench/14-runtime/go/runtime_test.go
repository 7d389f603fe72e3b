// The Go twins of bench/14-runtime/runtime_bench.cpp: the same scenarios with
// goroutines, on GOMAXPROCS = the number of cores. Run by `make bench
// PHASE=14` when Go is installed, or by hand: go test -run '^$' -bench . -benchmem
package runtimebench

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const million = 1_000_000

func BenchmarkSpawnJoin(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		wg.Add(million)
		for j := 0; j < million; j++ {
			go wg.Done()
		}
		wg.Wait()
	}
}

func skynet(c chan<- int64, num, size, div int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64)
	for i := int64(0); i < div; i++ {
		go skynet(rc, num+i*(size/div), size/div, div)
	}
	var sum int64
	for i := int64(0); i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func BenchmarkSkynet(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c := make(chan int64)
		go skynet(c, 0, million, 10)
		if sum := <-c; sum != int64(million)*(million-1)/2 {
			b.Fatal("wrong sum", sum)
		}
	}
}

func BenchmarkPingPong(b *testing.B) {
	const rounds = 100_000
	for i := 0; i < b.N; i++ {
		ping, pong := make(chan int), make(chan int)
		done := make(chan struct{})
		go func() {
			for v := range ping {
				pong <- v
			}
			close(done)
		}()
		for r := 0; r < rounds; r++ {
			ping <- r
			<-pong
		}
		close(ping)
		<-done
	}
}

func BenchmarkPoolJobs(b *testing.B) {
	for i := 0; i < b.N; i++ {
		jobs := make(chan int, 1024)
		sums := make(chan int64, 4)
		for w := 0; w < 4; w++ {
			go func() {
				var s int64
				for j := range jobs {
					s += int64(j)
				}
				sums <- s
			}()
		}
		for j := 0; j < million; j++ {
			jobs <- j
		}
		close(jobs)
		var total int64
		for w := 0; w < 4; w++ {
			total += <-sums
		}
		_ = total
	}
}

func buffered(total, p int) int64 {
	ch := make(chan int, 128)
	counts := make(chan int64, p)
	var wg sync.WaitGroup
	wg.Add(p)
	for i := 0; i < p; i++ {
		go func() {
			var n int64
			for range ch {
				n++
			}
			counts <- n
		}()
	}
	for i := 0; i < p; i++ {
		go func() {
			for j := 0; j < total/p; j++ {
				ch <- j
			}
			wg.Done()
		}()
	}
	wg.Wait()
	close(ch)
	var n int64
	for i := 0; i < p; i++ {
		n += <-counts
	}
	return n
}

func BenchmarkBufferedChan(b *testing.B) {
	for _, p := range []int{1, 2} {
		b.Run("producers="+strconv.Itoa(p), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				buffered(million, p)
			}
		})
	}
}

func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// suspendedPerTask: measured once per process, on the first run, since a
// later run reuses the stacks the first one freed.
var suspendedPerTask float64
var suspendedOnce sync.Once

func suspendMany(n int) float64 {
	runtime.GC()
	ch := make(chan int)
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	before := residentBytes()
	for j := 0; j < n; j++ {
		go func() {
			started.Done()
			<-ch
			finished.Done()
		}()
	}
	started.Wait()
	during := residentBytes()
	close(ch)
	finished.Wait()
	return float64(during-before) / float64(n)
}

func BenchmarkSuspendedTasks(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		perTask := suspendMany(n)
		suspendedOnce.Do(func() { suspendedPerTask = perTask })
	}
	b.ReportMetric(suspendedPerTask, "bytes_per_task")
}
