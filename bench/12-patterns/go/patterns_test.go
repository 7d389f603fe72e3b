// The Go twins of bench/12-patterns/patterns_bench.cpp. The twins use the
// standard library only, so singleflight is golang.org/x/sync/singleflight's
// algorithm in its smallest form (a mutex, a map of calls, a WaitGroup per
// call) and the LRU is container/list plus a map behind a sync.Mutex, split
// into shards like go::LruCache. The connection pool is database/sql's own,
// over a fake driver whose connections cost nothing. Run by `make bench PHASE=12` when Go is
// installed, or by hand: go test -run '^$' -bench . -benchmem
package patternsbench

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
)

// ---- singleflight ----

type call struct {
	wg  sync.WaitGroup
	val int
	dup int
}

type group struct {
	mu sync.Mutex
	m  map[int]*call
}

func (g *group) do(key int, fn func() int) (int, bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[int]*call)
	}
	if c, ok := g.m[key]; ok {
		c.dup++
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, true
	}
	c := new(call)
	c.wg.Add(1)
	g.m[key] = c
	g.mu.Unlock()
	c.val = fn()
	c.wg.Done()
	g.mu.Lock()
	delete(g.m, key)
	shared := c.dup > 0
	g.mu.Unlock()
	return c.val, shared
}

var sink uint64

// About a microsecond of work, as in the C++ benchmark.
func work() int {
	x := uint64(88172645463325252)
	for i := 0; i < 300; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	sink = x
	return int(x & 0xff)
}

// BenchmarkSingleFlightOneKey: GOMAXPROCS goroutines (times -cpu) call do on one key.
func BenchmarkSingleFlightOneKey(b *testing.B) {
	var g group
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			g.do(7, work)
		}
	})
}

// ---- LRU ----

const capacity = 10000
const keys = 11111

type entry struct{ key, value int }

type shard struct {
	mu    sync.Mutex
	cap   int
	order *list.List
	index map[int]*list.Element
}

func (s *shard) get(k int) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.index[k]; ok {
		s.order.MoveToFront(e)
		return e.Value.(*entry).value, true
	}
	return 0, false
}

func (s *shard) put(k, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.index[k]; ok {
		e.Value.(*entry).value = v
		s.order.MoveToFront(e)
		return
	}
	s.index[k] = s.order.PushFront(&entry{k, v})
	if s.order.Len() > s.cap {
		last := s.order.Back()
		s.order.Remove(last)
		delete(s.index, last.Value.(*entry).key)
	}
}

type lru struct{ shards []*shard }

func newLru(n int) *lru {
	c := &lru{}
	for i := 0; i < n; i++ {
		c.shards = append(c.shards, &shard{cap: (capacity + n - 1) / n, order: list.New(), index: map[int]*list.Element{}})
	}
	return c
}

func (c *lru) shard(k int) *shard { return c.shards[uint(k)%uint(len(c.shards))] }

// BenchmarkLruGetPut: cache-aside, about 90% hits, GOMAXPROCS goroutines.
func BenchmarkLruGetPut(b *testing.B) {
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			c := newLru(n)
			for k := 0; k < capacity; k++ {
				c.shard(k).put(k, k)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewSource(rand.Int63()))
				for pb.Next() {
					k := r.Intn(keys)
					s := c.shard(k)
					if _, ok := s.get(k); !ok {
						s.put(k, k)
					}
				}
			})
		})
	}
}

// ---- connection pool: database/sql's own, over a fake driver ----

type fakeDriver struct{}
type fakeConn struct{}

func (fakeDriver) Open(string) (driver.Conn, error)  { return fakeConn{}, nil }
func (fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("fake: no statements") }
func (fakeConn) Close() error                        { return nil }
func (fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("fake: no transactions") }

func init() { sql.Register("fake", fakeDriver{}) }

// BenchmarkConnPoolCheckout: db.Conn(ctx) then Close (back to the pool),
// MaxOpenConns = MaxIdleConns = 4; -cpu 1 uncontended, -cpu 8 contended.
func BenchmarkConnPoolCheckout(b *testing.B) {
	db, err := sql.Open("fake", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, err := db.Conn(ctx)
			if err != nil {
				b.Error(err)
				return
			}
			c.Close()
		}
	})
}
