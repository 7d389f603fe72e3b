// The Go twins of bench/05-sync/*_bench.cpp: same scenarios, same names
// (BenchmarkRWMutexRead90 pairs with RWMutexRead90/...). One op is one
// iteration of the C++ loop. The C++ benchmarks that use 2 threads run here
// with b.RunParallel, which uses GOMAXPROCS goroutines (2 on the workbook's
// machine). Run by `make bench PHASE=05` when Go is installed, or by hand:
// go test -run '^$' -bench . -benchmem
//
// Not every scenario has a standard-library twin: x/sync/semaphore is not in
// Go's standard library (and the benchmarks build offline), so the semaphore
// twins use the classic buffered-channel semaphore, weight 1 only.
package syncbench

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
)

var sink int64

// readMostly: 90 (or 99) in 100 operations read 256 counters under the read
// lock, the others bump one under the write lock, as lock_bench.cpp does.
func readMostly(b *testing.B, writesPerHundred uint32) {
	var mu sync.RWMutex
	var counters [256]int64
	var seed uint32
	b.RunParallel(func(pb *testing.PB) {
		op := atomic.AddUint32(&seed, 1) * 37
		var total int64 // this goroutine's sums, published once at the end
		for pb.Next() {
			op++
			if op%100 < writesPerHundred {
				mu.Lock()
				counters[op%256]++
				mu.Unlock()
			} else {
				mu.RLock()
				var sum int64
				for _, c := range counters {
					sum += c
				}
				mu.RUnlock()
				total += sum
			}
		}
		atomic.AddInt64(&sink, total)
	})
}

func BenchmarkRWMutexRead90(b *testing.B) { readMostly(b, 10) }
func BenchmarkRWMutexRead99(b *testing.B) { readMostly(b, 1) }

func BenchmarkMutexUncontended(b *testing.B) {
	var mu sync.Mutex
	for i := 0; i < b.N; i++ {
		mu.Lock()
		mu.Unlock()
	}
}

func BenchmarkOnceDone(b *testing.B) {
	var once sync.Once
	once.Do(func() {})
	for i := 0; i < b.N; i++ {
		once.Do(func() {})
	}
}

// The two MetricStores of metric_store.hpp, in Go: 2 goroutines Inc the same key.
type rwmutexStore struct {
	mu sync.RWMutex
	m  map[string]int64
}

func (s *rwmutexStore) Inc(key string) {
	s.mu.Lock()
	s.m[key]++
	s.mu.Unlock()
}

type atomicStore struct {
	mu sync.RWMutex
	m  map[string]*atomic.Int64
}

func (s *atomicStore) Inc(key string) {
	s.mu.RLock()
	c, ok := s.m[key]
	s.mu.RUnlock()
	if !ok {
		s.mu.Lock()
		if c, ok = s.m[key]; !ok {
			c = new(atomic.Int64)
			s.m[key] = c
		}
		s.mu.Unlock()
	}
	c.Add(1)
}

func BenchmarkMetricStoreInc(b *testing.B) {
	b.Run("rwmutex_store", func(b *testing.B) {
		s := &rwmutexStore{m: map[string]int64{"requests": 0}}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Inc("requests")
			}
		})
	})
	b.Run("atomic_store", func(b *testing.B) {
		s := &atomicStore{m: map[string]*atomic.Int64{"requests": new(atomic.Int64)}}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Inc("requests")
			}
		})
	})
}

// sync.Map under the load of sync_map_bench.cpp: 1024 keys, 99% Load, 1% Store.
const mapKeys = 1024

func newMap() *sync.Map {
	var m sync.Map
	for k := 0; k < mapKeys; k++ {
		m.Store(k, k)
	}
	return &m
}

func mostlyReads(m *sync.Map, i uint32) {
	key := int((i * 7) % mapKeys)
	if i%100 == 0 {
		m.Store(key, int(i))
	} else if v, ok := m.Load(key); ok {
		_ = v
	}
}

func BenchmarkMapMostlyReads1T(b *testing.B) {
	m := newMap()
	for i := uint32(1); i <= uint32(b.N); i++ {
		mostlyReads(m, i)
	}
}

func BenchmarkMapMostlyReads2T(b *testing.B) {
	m := newMap()
	var seed uint32
	b.RunParallel(func(pb *testing.PB) {
		i := atomic.AddUint32(&seed, 1) * 512
		for pb.Next() {
			i++
			mostlyReads(m, i)
		}
	})
}

// sync.Pool of 4 KiB buffers against allocating one each time, as in
// pool_bench.cpp; -benchmem's allocs/op is the C++ allocs_per_op.
var bufferSink *bytes.Buffer

func newBuffer() *bytes.Buffer {
	b := new(bytes.Buffer)
	b.Grow(4096)
	return b
}

func use(b *bytes.Buffer) {
	b.Reset()
	b.WriteByte('x')
}

func BenchmarkPoolGetPut(b *testing.B) {
	b.Run("go_Pool", func(b *testing.B) {
		pool := sync.Pool{New: func() any { return newBuffer() }}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf := pool.Get().(*bytes.Buffer)
			use(buf)
			pool.Put(buf)
		}
	})
	b.Run("new_delete", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			buf := newBuffer()
			use(buf)
			bufferSink = buf // escapes: a real heap allocation, as in C++
		}
	})
}

func BenchmarkPoolGetPutParallel(b *testing.B) {
	b.Run("go_Pool", func(b *testing.B) {
		pool := sync.Pool{New: func() any { return newBuffer() }}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				buf := pool.Get().(*bytes.Buffer)
				use(buf)
				pool.Put(buf)
			}
		})
	})
	b.Run("new_delete", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var keep *bytes.Buffer
			for pb.Next() {
				keep = newBuffer()
				use(keep)
			}
			bufferSink = keep
		})
	})
}

// The channel semaphore: acquire is a send, release a receive.
func BenchmarkSemaphoreUncontended(b *testing.B) {
	sem := make(chan struct{}, 4)
	for i := 0; i < b.N; i++ {
		sem <- struct{}{}
		<-sem
	}
}

func BenchmarkSemaphoreContended(b *testing.B) {
	sem := make(chan struct{}, 1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sem <- struct{}{}
			<-sem
		}
	})
}
