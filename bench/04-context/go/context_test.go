// The Go twins of bench/04-context/context_bench.cpp: same scenarios, same
// names (BenchmarkContextTree pairs with ContextTree/...). One op is one tree
// of 1,000 children (ContextTree), one child made and cancelled
// (CancelChild), one ctx.Err() (ErrPoll), or one lookup (ValueLookup/depth),
// as one iteration is in C++. Run by `make bench PHASE=04` when Go is
// installed, or by hand: go test -run '^$' -bench . -benchmem
package contextbench

import (
	"context"
	"strconv"
	"testing"
	"time"
)

const children = 1000

// reportItems adds the items/s column the C++ benchmarks report.
// (b.Elapsed would do, but it arrived in Go 1.20; go.mod says 1.19.)
func reportItems(b *testing.B, start time.Time, perOp int) {
	b.ReportMetric(float64(b.N*perOp)/time.Since(start).Seconds(), "items/s")
}

// Sinks keep the results alive.
var (
	errSink   error
	valueSink any
)

// A root with 1,000 children, then the root's cancel, which cancels them all.
func BenchmarkContextTree(b *testing.B) {
	cancels := make([]context.CancelFunc, children)
	kids := make([]context.Context, children)
	start := time.Now()
	for i := 0; i < b.N; i++ {
		root, cancelRoot := context.WithCancel(context.Background())
		for j := range kids {
			kids[j], cancels[j] = context.WithCancel(root)
		}
		cancelRoot()
		errSink = kids[children-1].Err()
	}
	reportItems(b, start, children)
}

// One short-lived child of a long-lived parent: made, then cancelled.
func BenchmarkCancelChild(b *testing.B) {
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		child, cancel := context.WithCancel(parent)
		cancel()
		errSink = child.Err()
	}
	reportItems(b, start, 1)
}

// ctx.Err() on a live context.
func BenchmarkErrPoll(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		errSink = ctx.Err()
	}
	reportItems(b, start, 1)
}

// key is unexported, so no other package's key can equal one of ours.
type key int

// A chain of depth value contexts; the key looked up is the farthest one.
func BenchmarkValueLookup(b *testing.B) {
	for _, depth := range []int{1, 10, 100} {
		b.Run(strconv.Itoa(depth), func(b *testing.B) {
			ctx := context.Background()
			for i := 0; i < depth; i++ {
				ctx = context.WithValue(ctx, key(i), i)
			}
			start := time.Now()
			for i := 0; i < b.N; i++ {
				valueSink = ctx.Value(key(0))
			}
			reportItems(b, start, 1)
		})
	}
}
