// The Go twin of bench/13-connector/connector_bench.cpp: the asynchronous
// connector written the way the refactor plan describes it in Go: a bounded
// channel of *entityWork, a worker pool, a job index and a pending set under
// mutexes, requeue with time.AfterFunc and a capped backoff, a deadline,
// accumulators under one mutex swapped out by the flush (ticker or size),
// and sync.Once for shutdown. Same workload: 10 batches x 1000 entity spans,
// 2 jobs in 10 sent one batch late; W workers; one op ends when every span is
// resolved and shutdown has flushed.
//
//	go test -run '^$' -bench . -benchtime 50x
//
// Sub-benchmark names are the worker counts ("1", "2", "4"), as the C++
// arguments.
package connector

import (
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type role uint8

const (
	roleOther role = iota
	roleJob
	roleEntity
)

type span struct {
	spanID, parentID uint64
	role             role
	entityKey        string
	jobKey           string
	status           uint8
	start, end       int64
}

type entityWork struct {
	spanID, parentID uint64
	entityKey        string
	jobKey           string
	status           uint8
	start, end       int64
	arrived          time.Time
	deadline         time.Time
	attempts         int
}

type pointKey struct {
	job    string
	status uint8
}

type point struct {
	count      uint64
	start, end int64
}

type waiter struct {
	w *entityWork
	t *time.Timer
}

type accumulators struct {
	traces map[string][]entityWork
	points map[pointKey]*point
	spans  int
}

func newAccumulators() accumulators {
	return accumulators{traces: map[string][]entityWork{}, points: map[pointKey]*point{}}
}

type config struct {
	workers        int
	queueCapacity  int
	flushInterval  time.Duration
	batchThreshold int
	initialBackoff time.Duration
	maxBackoff     time.Duration
	maxCache       time.Duration
}

type connector struct {
	cfg       config
	pendingCh chan *entityWork
	jobsMu    sync.RWMutex
	jobs      map[uint64]string
	pendMu    sync.Mutex
	pending   map[uint64]struct{}
	accMu     sync.Mutex
	acc       accumulators
	flushNow  chan struct{}
	stopCh    chan struct{}
	wg        sync.WaitGroup
	flusherWg sync.WaitGroup
	timersMu  sync.Mutex
	draining  bool
	waiting   map[uint64]waiter
	once      sync.Once
	resolved  atomic.Uint64
	emitted   atomic.Uint64
	expired   atomic.Uint64
}

func newConnector(cfg config) *connector {
	c := &connector{
		cfg:       cfg,
		pendingCh: make(chan *entityWork, cfg.queueCapacity),
		jobs:      map[uint64]string{},
		pending:   map[uint64]struct{}{},
		acc:       newAccumulators(),
		flushNow:  make(chan struct{}, 1),
		stopCh:    make(chan struct{}),
		waiting:   map[uint64]waiter{},
	}
	for i := 0; i < cfg.workers; i++ {
		c.wg.Add(1)
		go c.work()
	}
	c.flusherWg.Add(1)
	go c.flusher()
	return c
}

func (c *connector) consume(batch []span) {
	now := time.Now()
	for i := range batch {
		s := &batch[i]
		switch s.role {
		case roleJob:
			c.jobsMu.Lock()
			c.jobs[s.spanID] = s.jobKey
			c.jobsMu.Unlock()
		case roleEntity:
			c.pendMu.Lock()
			if _, dup := c.pending[s.spanID]; dup {
				c.pendMu.Unlock()
				continue
			}
			c.pending[s.spanID] = struct{}{}
			c.pendMu.Unlock()
			w := &entityWork{spanID: s.spanID, parentID: s.parentID, entityKey: s.entityKey, jobKey: s.jobKey,
				status: s.status, start: s.start, end: s.end, arrived: now, deadline: now.Add(c.cfg.maxCache)}
			select {
			case c.pendingCh <- w:
			default:
				c.pendMu.Lock()
				delete(c.pending, s.spanID)
				c.pendMu.Unlock()
			}
		}
	}
}

func (c *connector) work() {
	defer c.wg.Done()
	for w := range c.pendingCh {
		c.process(w)
	}
}

func (c *connector) process(w *entityWork) {
	if w.jobKey == "" {
		c.jobsMu.RLock()
		w.jobKey = c.jobs[w.parentID]
		c.jobsMu.RUnlock()
	}
	now := time.Now()
	if w.jobKey == "" {
		if now.Before(w.deadline) && c.requeue(w, now) {
			return
		}
		c.expired.Add(1)
		c.forget(w.spanID)
		return
	}
	c.resolved.Add(1)
	c.accMu.Lock()
	c.acc.traces[w.entityKey] = append(c.acc.traces[w.entityKey], *w)
	k := pointKey{w.jobKey, w.status}
	p := c.acc.points[k]
	if p == nil {
		p = &point{start: w.start, end: w.end}
		c.acc.points[k] = p
	}
	p.count++
	if w.start < p.start {
		p.start = w.start
	}
	if w.end > p.end {
		p.end = w.end
	}
	c.acc.spans++
	full := c.cfg.batchThreshold > 0 && c.acc.spans >= c.cfg.batchThreshold
	c.accMu.Unlock()
	c.forget(w.spanID)
	if full {
		select {
		case c.flushNow <- struct{}{}:
		default:
		}
	}
}

func (c *connector) requeue(w *entityWork, now time.Time) bool {
	c.timersMu.Lock()
	defer c.timersMu.Unlock()
	if c.draining {
		return false
	}
	d := c.cfg.initialBackoff << w.attempts
	if d > c.cfg.maxBackoff || d <= 0 {
		d = c.cfg.maxBackoff
	}
	w.attempts++
	if due := now.Add(d); due.After(w.deadline) {
		d = w.deadline.Sub(now)
	}
	id := w.spanID
	c.waiting[id] = waiter{w: w, t: time.AfterFunc(d, func() {
		c.timersMu.Lock()
		defer c.timersMu.Unlock()
		if _, ok := c.waiting[id]; !ok {
			return
		}
		delete(c.waiting, id)
		c.pendingCh <- w // requeue; the plan accepts a blocking send here
	})}
	return true
}

func (c *connector) forget(id uint64) {
	c.pendMu.Lock()
	delete(c.pending, id)
	c.pendMu.Unlock()
}

func (c *connector) flusher() {
	defer c.flusherWg.Done()
	ticker := time.NewTicker(c.cfg.flushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			c.flush()
		case <-c.flushNow:
			c.flush()
		case <-c.stopCh:
			c.flush()
			return
		}
	}
}

func (c *connector) flush() {
	c.accMu.Lock()
	taken := c.acc
	c.acc = newAccumulators()
	c.accMu.Unlock()
	if taken.spans == 0 {
		return
	}
	keys := make([]string, 0, len(taken.traces))
	for k := range taken.traces {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	for _, k := range keys {
		spans := taken.traces[k]
		sort.Slice(spans, func(i, j int) bool {
			if spans[i].start != spans[j].start {
				return spans[i].start < spans[j].start
			}
			return spans[i].spanID < spans[j].spanID
		})
		n += len(spans)
	}
	c.emitted.Add(uint64(n))
}

func (c *connector) shutdown() {
	c.once.Do(func() {
		c.timersMu.Lock()
		c.draining = true
		for id, wt := range c.waiting {
			wt.t.Stop()
			delete(c.waiting, id)
			c.pendingCh <- wt.w // back to the queue: drained (and expired if still unresolved)
		}
		c.timersMu.Unlock()
		close(c.pendingCh)
		c.wg.Wait()
		close(c.stopCh)
		c.flusherWg.Wait()
	})
}

const (
	batches    = 10
	batchSize  = 1000
	jobsPer    = 10
	lateJobs   = 2
	totalSpans = batches * batchSize
)

func workload() [][]span {
	out := make([][]span, batches+1)
	job := func(b, j int) span {
		return span{spanID: uint64(b*jobsPer + j + 1), role: roleJob, jobKey: "job-" + strconv.Itoa(j)}
	}
	for b := 0; b < batches; b++ {
		for j := lateJobs; j < jobsPer; j++ {
			out[b] = append(out[b], job(b, j))
		}
		for j := 0; j < lateJobs; j++ {
			out[b+1] = append(out[b+1], job(b, j))
		}
		for i := 0; i < batchSize; i++ {
			st := uint8(1)
			if i%50 == 0 {
				st = 2
			}
			out[b] = append(out[b], span{spanID: uint64(1_000_000 + b*batchSize + i),
				parentID: uint64(b*jobsPer + i%jobsPer + 1), role: roleEntity,
				entityKey: "entity/" + strconv.Itoa(i%100), status: st,
				start: int64(i * 1000), end: int64(i*1000 + 500)})
		}
	}
	return out
}

func BenchmarkEndToEnd(b *testing.B) {
	work := workload()
	for _, workers := range []int{1, 2, 4} {
		b.Run(strconv.Itoa(workers), func(b *testing.B) {
			began := time.Now()
			for i := 0; i < b.N; i++ {
				c := newConnector(config{workers: workers, queueCapacity: 16384, flushInterval: 50 * time.Millisecond,
					batchThreshold: 2048, initialBackoff: 200 * time.Microsecond, maxBackoff: 5 * time.Millisecond,
					maxCache: 10 * time.Second})
				for _, batch := range work {
					c.consume(batch)
				}
				for c.resolved.Load() < totalSpans {
					time.Sleep(20 * time.Microsecond)
				}
				c.shutdown()
				if c.emitted.Load() != totalSpans {
					b.Fatalf("emitted %d of %d", c.emitted.Load(), totalSpans)
				}
			}
			b.ReportMetric(float64(totalSpans)*float64(b.N)/time.Since(began).Seconds(), "spans_per_second")
		})
	}
}
