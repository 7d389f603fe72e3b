// OpenAtExit: opens a test's gate when the scope ends, however it ends.
//
//   go_test::RecordingSink sink(/*open=*/false);   // the workers block inside it
//   go::SpanCollector collector(...);
//   go_test::OpenAtExit open_at_exit(sink);        // destroyed first: opens the sink
//
// Phases 07 to 09 hold their workers inside a gated store, sink or output to
// see what happens while they are busy. If a check fails (or throws) before
// the test opens the gate, the collector's or pipeline's destructor would wait
// for ever for workers stuck inside it. Declare an OpenAtExit after that
// object, and after any future that waits on it, so that it is destroyed, and
// opens the gate, before they are. Opening a gate that is open already does
// nothing. Gate is any type with an open() member.
#pragma once

namespace go_test {

template <class Gate>
class OpenAtExit {
 public:
  explicit OpenAtExit(Gate& gate) : gate_(gate) {}
  OpenAtExit(const OpenAtExit&) = delete;
  OpenAtExit& operator=(const OpenAtExit&) = delete;
  ~OpenAtExit() { gate_.open(); }

 private:
  Gate& gate_;
};

}  // namespace go_test
