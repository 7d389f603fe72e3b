// Go twin of bench/11-pubsub/pubsub_bench.cpp: the source material's broker
// written the Go way: a sync.RWMutex around the subscriptions, a buffered
// channel per subscriber, select with default so that publish never waits.
// Two indexes: the scan every first version has (every pattern matched
// against every topic) and a token trie like the C++ reference.
//
//	cd bench/11-pubsub/go && go test -run '^$' -bench .
//
// ns/op is per publish.
package pubsub

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

type Message struct {
	Topic   string
	Payload string
	Seq     uint64
}

type sub struct {
	pattern string
	ch      chan Message
	dropped uint64
	mu      sync.Mutex
}

func match(pattern, topic string) bool {
	p := strings.Split(pattern, ".")
	t := strings.Split(topic, ".")
	for i, tok := range p {
		if tok == ">" {
			return len(t) > i
		}
		if i >= len(t) || (tok != "*" && tok != t[i]) {
			return false
		}
	}
	return len(p) == len(t)
}

type node struct {
	children map[string]*node
	star     *node
	here     []*sub
	rest     []*sub
}

func newNode() *node { return &node{children: map[string]*node{}} }

func (n *node) insert(tokens []string, s *sub) {
	if len(tokens) == 0 {
		n.here = append(n.here, s)
		return
	}
	if tokens[0] == ">" {
		n.rest = append(n.rest, s)
		return
	}
	var next *node
	if tokens[0] == "*" {
		if n.star == nil {
			n.star = newNode()
		}
		next = n.star
	} else {
		next = n.children[tokens[0]]
		if next == nil {
			next = newNode()
			n.children[tokens[0]] = next
		}
	}
	next.insert(tokens[1:], s)
}

func (n *node) match(tokens []string, visit func(*sub)) {
	if len(tokens) == 0 {
		for _, s := range n.here {
			visit(s)
		}
		return
	}
	for _, s := range n.rest {
		visit(s)
	}
	if c := n.children[tokens[0]]; c != nil {
		c.match(tokens[1:], visit)
	}
	if n.star != nil {
		n.star.match(tokens[1:], visit)
	}
}

type Broker struct {
	mu   sync.RWMutex
	subs []*sub
	trie *node
	seq  uint64
	scan bool
}

func NewBroker(scan bool) *Broker { return &Broker{trie: newNode(), scan: scan} }

func (b *Broker) Subscribe(pattern string, buffer int) chan Message {
	s := &sub{pattern: pattern, ch: make(chan Message, buffer)}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.trie.insert(strings.Split(pattern, "."), s)
	b.mu.Unlock()
	return s.ch
}

func deliver(s *sub, m Message) {
	s.mu.Lock()
	select {
	case s.ch <- m:
	default:
		s.dropped++
	}
	s.mu.Unlock()
}

func (b *Broker) Publish(topic, payload string) {
	b.mu.RLock()
	m := Message{topic, payload, atomic.AddUint64(&b.seq, 1)}
	if b.scan {
		for _, s := range b.subs {
			if match(s.pattern, topic) {
				deliver(s, m)
			}
		}
	} else {
		b.trie.match(strings.Split(topic, "."), func(s *sub) { deliver(s, m) })
	}
	b.mu.RUnlock()
}

func other(i int) string {
	switch i % 3 {
	case 0:
		return "users." + strconv.Itoa(i) + ".created"
	case 1:
		return "billing." + strconv.Itoa(i) + ".*"
	default:
		return "audit." + strconv.Itoa(i) + ".>"
	}
}

func drain(ch chan Message) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func benchPublish(b *testing.B, subs int, scan bool) {
	br := NewBroker(scan)
	ch := br.Subscribe("orders.*", 1024)
	for i := 1; i < subs; i++ {
		br.Subscribe(other(i), 64)
	}
	payload := strings.Repeat("x", 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		br.Publish("orders.created", payload)
		if i%1024 == 1023 {
			drain(ch)
		}
	}
}

func BenchmarkPublishTrie(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchPublish(b, n, false) })
	}
}

func BenchmarkPublishScan(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchPublish(b, n, true) })
	}
}

func BenchmarkPublishStalledSubscriber(b *testing.B) {
	for _, stalled := range []bool{false, true} {
		name := "none_stalled"
		if stalled {
			name = "one_stalled"
		}
		b.Run(name, func(b *testing.B) {
			br := NewBroker(false)
			var readers []chan Message
			for i := 0; i < 10; i++ {
				readers = append(readers, br.Subscribe("ticks.>", 1024))
			}
			if stalled {
				br.Subscribe("ticks.>", 8)
			}
			payload := strings.Repeat("x", 64)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				br.Publish("ticks.a", payload)
				if i%1024 == 1023 {
					for _, r := range readers {
						drain(r)
					}
				}
			}
		})
	}
}

// BenchmarkDeliveryRoundTrip: ping-pong through the broker, as in the C++
// BM_DeliveryRoundTrip: two deliveries to a sleeping receiver per op.
func BenchmarkDeliveryRoundTrip(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			br := NewBroker(false)
			pings := br.Subscribe("ping.>", 16)
			pongs := br.Subscribe("pong.>", 16)
			for i := 0; i < n; i++ {
				br.Subscribe(other(i), 64)
			}
			done := make(chan struct{})
			go func() {
				for {
					select {
					case m := <-pings:
						br.Publish("pong.x", m.Payload)
					case <-done:
						return
					}
				}
			}()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				br.Publish("ping.x", "p")
				<-pongs
			}
			b.StopTimer()
			close(done)
		})
	}
}
