// The Go twin of bench/09-pipeline/pipeline_bench.cpp: the same log pipeline
// written the way Go's pipeline article writes it (a function per stage that
// starts goroutines and returns its output channel; a WaitGroup closes each
// fan-in; context for cancellation), on the same input, with the same work
// per line: parse (RFC 3339 timestamp by hand, level, message), keep level >=
// INFO, K workers add host=web-1, one output formats each entry and counts its
// bytes. Channels of 64 entries.
//
//	go test -run '^$' -bench . -benchtime 100x
//
// One op: 2 sources x 10 000 lines through a fresh pipeline; its sub-benchmark
// names are the worker counts ("1", "2", "4"), as the C++ arguments.
package pipeline

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type Level uint8

const (
	Debug Level = iota
	Info
	Warn
	Error
)

var levelNames = [...]string{"DEBUG", "INFO", "WARN", "ERROR"}

type Field struct{ Key, Value string }

type LogEntry struct {
	Time       time.Time
	Timestamp  string
	Level      Level
	Message    string
	Source     string
	Line       uint64
	EnrichedAt time.Time
	Fields     []Field
}

type LogError struct {
	Source string
	Line   uint64
	Reason string
}

func digits(s string, n int) (int, bool) {
	if len(s) < n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

var errTimestamp = errors.New("bad timestamp")

// parseTime: the same profile of RFC 3339 as the C++ parser, by hand.
func parseTime(s string) (time.Time, error) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, errTimestamp
	}
	y, ok1 := digits(s, 4)
	mo, ok2 := digits(s[5:], 2)
	d, ok3 := digits(s[8:], 2)
	h, ok4 := digits(s[11:], 2)
	mi, ok5 := digits(s[14:], 2)
	sec, ok6 := digits(s[17:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, errTimestamp
	}
	p, nanos := 19, 0
	if p < len(s) && s[p] == '.' {
		p++
		n := 0
		for ; p < len(s) && s[p] >= '0' && s[p] <= '9'; p, n = p+1, n+1 {
			if n < 9 {
				nanos = nanos*10 + int(s[p]-'0')
			}
		}
		if n == 0 || n > 9 {
			return time.Time{}, errTimestamp
		}
		for ; n < 9; n++ {
			nanos *= 10
		}
	}
	offset := 0
	switch {
	case p < len(s) && s[p] == 'Z':
		p++
	case p < len(s) && (s[p] == '+' || s[p] == '-'):
		sign := 1
		if s[p] == '-' {
			sign = -1
		}
		oh, ok1 := digits(s[p+1:], 2)
		om, ok2 := digits(s[p+4:], 2)
		if !ok1 || !ok2 || s[p+3] != ':' {
			return time.Time{}, errTimestamp
		}
		offset = sign * (oh*60 + om)
		p += 6
	default:
		return time.Time{}, errTimestamp
	}
	if p != len(s) {
		return time.Time{}, errTimestamp
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nanos, time.UTC)
	if t.Day() != d {
		return time.Time{}, errTimestamp
	}
	return t.Add(-time.Duration(offset) * time.Minute), nil
}

func Parse(line, source string, lineNo uint64) (LogEntry, error) {
	line = strings.TrimSuffix(line, "\r")
	sp1 := strings.IndexByte(line, ' ')
	if sp1 < 0 {
		return LogEntry{}, errors.New("no level after the timestamp")
	}
	t, err := parseTime(line[:sp1])
	if err != nil {
		return LogEntry{}, err
	}
	rest := line[sp1+1:]
	lv, msg := rest, ""
	if sp2 := strings.IndexByte(rest, ' '); sp2 >= 0 {
		lv, msg = rest[:sp2], rest[sp2+1:]
	}
	level := Level(255)
	for i, n := range levelNames {
		if lv == n {
			level = Level(i)
		}
	}
	if level == 255 {
		return LogEntry{}, errors.New("unknown level")
	}
	return LogEntry{Time: t, Timestamp: line[:sp1], Level: level, Message: msg, Source: source, Line: lineNo}, nil
}

func Format(e *LogEntry) string {
	var b strings.Builder
	b.Grow(len(e.Timestamp) + len(e.Message) + len(e.Source) + 32)
	b.WriteString(e.Timestamp)
	b.WriteByte(' ')
	b.WriteString(levelNames[e.Level])
	b.WriteByte(' ')
	b.WriteString(e.Message)
	b.WriteString(" source=")
	b.WriteString(e.Source)
	b.WriteByte(':')
	b.WriteString(strconv.FormatUint(e.Line, 10))
	for _, f := range e.Fields {
		b.WriteByte(' ')
		b.WriteString(f.Key)
		b.WriteByte('=')
		b.WriteString(f.Value)
	}
	return b.String()
}

const capacity = 64

type Source struct {
	Name  string
	Lines []string
}

func generate(ctx context.Context, sources []Source, errs chan<- LogError) <-chan LogEntry {
	out := make(chan LogEntry, capacity)
	var wg sync.WaitGroup
	wg.Add(len(sources))
	for _, src := range sources {
		go func(src Source) {
			defer wg.Done()
			for i, line := range src.Lines {
				line = strings.Clone(line) // a copy, as bufio.Scanner's Text() makes one per line
				e, err := Parse(line, src.Name, uint64(i+1))
				if err != nil {
					select {
					case errs <- LogError{src.Name, uint64(i + 1), err.Error()}:
					case <-ctx.Done():
						return
					}
					continue
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}(src)
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

func filter(ctx context.Context, in <-chan LogEntry, min Level) <-chan LogEntry {
	out := make(chan LogEntry, capacity)
	go func() {
		defer close(out)
		for e := range in {
			if e.Level < min {
				continue
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func enrich(ctx context.Context, in <-chan LogEntry, workers int, fn func(*LogEntry)) <-chan LogEntry {
	out := make(chan LogEntry, capacity)
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for e := range in {
				e.EnrichedAt = time.Now()
				fn(&e)
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

func sink(in <-chan LogEntry, write func(*LogEntry)) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range in {
			write(&e)
		}
	}()
	return done
}

var sources = func() []Source {
	a := make([]string, 10000)
	b := make([]string, 10000)
	la := []string{"DEBUG", "INFO", "INFO", "INFO", "WARN", "INFO", "DEBUG", "INFO", "ERROR", "INFO"}
	lb := []string{"INFO", "DEBUG", "INFO", "WARN", "INFO", "INFO", "ERROR", "INFO", "DEBUG", "INFO"}
	two := func(i int) string {
		if i%60 < 10 {
			return "0" + strconv.Itoa(i%60)
		}
		return strconv.Itoa(i % 60)
	}
	for i := range a {
		a[i] = "2026-12-07T09:30:" + two(i) + ".125Z " + la[i%10] + " a request " + strconv.Itoa(i) + " handled in " + strconv.Itoa(i%250) + " ms"
		b[i] = "2026-12-07T10:15:" + two(i) + "Z " + lb[i%10] + " b cache miss for key user:" + strconv.Itoa(i)
	}
	return []Source{{"a", a}, {"b", b}}
}()

func runOnce(workers int, bytes *atomic.Uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan LogError, capacity)
	go func() {
		for range errs {
		}
	}()
	entries := generate(ctx, sources, errs)
	kept := filter(ctx, entries, Info)
	rich := enrich(ctx, kept, workers, func(e *LogEntry) { e.Fields = append(e.Fields, Field{"host", "web-1"}) })
	<-sink(rich, func(e *LogEntry) { bytes.Add(uint64(len(Format(e)))) })
	close(errs)
}

func TestPipelineWritesTheKeptLines(t *testing.T) {
	var bytes atomic.Uint64
	runOnce(2, &bytes)
	if bytes.Load() == 0 {
		t.Fatal("nothing written")
	}
	e, err := Parse("2026-12-07T10:30:00+01:00 WARN x y", "s", 3)
	if err != nil || e.Level != Warn || e.Message != "x y" || !e.Time.Equal(time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("parse: %+v %v", e, err)
	}
}

func BenchmarkEndToEnd(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(strconv.Itoa(workers), func(b *testing.B) {
			var bytes atomic.Uint64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				runOnce(workers, &bytes)
			}
			b.ReportMetric(float64(b.N)*20000/time.Since(start).Seconds(), "lines/s")
		})
	}
}
