// Go twin of bench/08-collector/span_collector_bench.cpp: the same span
// collector written the Go way (the source material's design): a buffered
// channel of *Span, a sync.Pool of spans, N worker goroutines that batch
// spans toward a sink by size or on a ticker, a non-blocking Ingest that
// rejects when the queue is full. A refused producer yields
// (runtime.Gosched) and tries again; only accepted spans are counted.
//
//	cd bench/08-collector/go && go test -run '^$' -bench . -benchmem
//
// ns/op is per span in every benchmark; spans/s is reported beside it.
package collector

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type Attr struct{ Key, Value string }

type Span struct {
	TraceHi, TraceLo, SpanID, ParentID uint64
	Service, Name                      string
	Start, End                         int64
	Status                             uint8
	Attrs                              []Attr
}

// copyFrom reuses s's attribute slice: no allocation once it is big enough.
func (s *Span) copyFrom(o *Span) {
	attrs := append(s.Attrs[:0], o.Attrs...)
	*s = *o
	s.Attrs = attrs
}

var ErrQueueFull = errors.New("ingest queue full, span dropped")

type Collector struct {
	queue     chan *Span
	pool      sync.Pool
	workers   int
	flushSize int
	interval  time.Duration
	sink      func([]*Span)
	wg        sync.WaitGroup
}

func NewCollector(workers, queueSize, flushSize int, sink func([]*Span)) *Collector {
	c := &Collector{queue: make(chan *Span, queueSize), workers: workers, flushSize: flushSize,
		interval: 100 * time.Millisecond, sink: sink}
	c.pool.New = func() any { return &Span{Attrs: make([]Attr, 0, 8)} }
	return c
}

func (c *Collector) Start() {
	for i := 0; i < c.workers; i++ {
		c.wg.Add(1)
		go c.worker()
	}
}

func (c *Collector) Ingest(src *Span) error {
	s := c.pool.Get().(*Span)
	s.copyFrom(src)
	select {
	case c.queue <- s:
		return nil
	default:
		c.pool.Put(s)
		return ErrQueueFull
	}
}

// IngestBatch: SendSpanBatch calls Ingest for each span; returns how many were accepted.
func (c *Collector) IngestBatch(spans []Span) (int, error) {
	for i := range spans {
		if err := c.Ingest(&spans[i]); err != nil {
			return i, err
		}
	}
	return len(spans), nil
}

func (c *Collector) worker() {
	defer c.wg.Done()
	batch := make([]*Span, 0, c.flushSize)
	ticker := time.NewTicker(c.interval)
	defer ticker.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		c.sink(batch)
		for _, s := range batch {
			c.pool.Put(s)
		}
		batch = batch[:0]
	}
	for {
		select {
		case s, ok := <-c.queue:
			if !ok {
				flush()
				return
			}
			batch = append(batch, s)
			if len(batch) >= c.flushSize {
				flush()
			}
		case <-ticker.C:
			flush()
		}
	}
}

func (c *Collector) Stop() {
	close(c.queue)
	c.wg.Wait()
}

var sinkSum atomic.Uint64

func lightSink(batch []*Span) {
	var sum uint64
	for _, s := range batch {
		sum += s.SpanID + uint64(len(s.Name)) + uint64(len(s.Attrs))
	}
	sinkSum.Add(sum)
}

func cpuSink(batch []*Span) {
	h := uint64(1469598103934665603)
	for _, s := range batch {
		for r := 0; r < 4; r++ {
			for i := 0; i < len(s.Name); i++ {
				h = (h ^ uint64(s.Name[i])) * 1099511628211
			}
		}
	}
	sinkSum.Add(h)
}

func ioSink(batch []*Span) {
	time.Sleep(200 * time.Microsecond)
	sinkSum.Add(uint64(len(batch)))
}

func sampleSpan(id uint64) Span {
	return Span{TraceHi: 0x0123456789abcdef, TraceLo: id, SpanID: id, ParentID: id / 2,
		Service: "checkout-service", Name: "POST /api/v1/cart/items",
		Start: 1_700_000_000_000_000_000, End: 1_700_000_000_001_250_000, Status: 1,
		Attrs: []Attr{{"http.method", "POST"}, {"http.status_code", "200"}, {"net.peer.name", "cart-db.internal"}}}
}

func sampleBatch() []Span {
	b := make([]Span, 64)
	for i := range b {
		b[i] = sampleSpan(uint64(i))
	}
	return b
}

func ingestOne(c *Collector, s *Span) {
	for c.Ingest(s) != nil {
		runtime.Gosched()
	}
}

func ingestMany(c *Collector, spans []Span) {
	for done := 0; done < len(spans); {
		n, _ := c.IngestBatch(spans[done:])
		done += n
		if done < len(spans) {
			runtime.Gosched()
		}
	}
}

func spansPerSecond(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "spans/s")
}

// Ingest2P: 2 producers (GOMAXPROCS goroutines on this 2-core machine), one span per Ingest.
func BenchmarkIngest2P(b *testing.B) {
	c := NewCollector(1, 8192, 256, lightSink)
	c.Start()
	one := sampleSpan(7)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		s := one
		for pb.Next() {
			ingestOne(c, &s)
		}
	})
	spansPerSecond(b, start)
	b.StopTimer()
	c.Stop()
}

// IngestBatch2P: 2 producers, batches of 64 (b.N counts spans).
func BenchmarkIngestBatch2P(b *testing.B) {
	c := NewCollector(1, 8192, 256, lightSink)
	c.Start()
	var left atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := sampleBatch()
			for left.Add(-64) > -64 {
				ingestMany(c, batch)
			}
		}()
	}
	wg.Wait()
	spansPerSecond(b, start)
	b.StopTimer()
	c.Stop()
}

func benchWorkers(b *testing.B, sink func([]*Span)) {
	for _, workers := range []int{1, 2, 8, 32} {
		b.Run("workers="+itoa(workers), func(b *testing.B) {
			c := NewCollector(workers, 1024, 64, sink)
			c.Start()
			batch := sampleBatch()
			b.ResetTimer()
			start := time.Now()
			for n := 0; n < b.N; n += 64 {
				ingestMany(c, batch)
			}
			spansPerSecond(b, start)
			b.StopTimer()
			c.Stop()
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func BenchmarkWorkersCpuSink(b *testing.B) { benchWorkers(b, cpuSink) }
func BenchmarkWorkersIoSink(b *testing.B)  { benchWorkers(b, ioSink) }
