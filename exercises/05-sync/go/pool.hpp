// go::Pool<T>: Go's sync.Pool. A set of spare objects that goroutines take
// and give back, so that a hot path reuses memory instead of allocating it.
// Lesson: phases/05-sync/README.md, "Pool: reuse instead of allocate".
//
//   go::Pool<Buffer> buffers([] { return std::make_unique<Buffer>(); });  // Pool{New: ...}
//   std::unique_ptr<Buffer> b = buffers.get();   // a spare one, or a new one
//   b->clear();                                  // the pool does not reset objects
//   buffers.put(std::move(b));                   // give it back
//
// Contract (the tests check each point):
//   - get() returns an object put() earlier if the pool holds one (and takes
//     it out of the pool), unchanged; only when the pool is empty does it
//     call the New function given to the constructor, once. Without a New
//     function, get() on an empty pool returns nullptr. get() never blocks.
//   - put(x) gives x to the pool; put(nullptr) does nothing. put_all(xs)
//     puts every object of xs, skips nullptrs, and leaves xs all nullptrs.
//   - get() finds objects put by *any* thread, not only by its own.
//   - Thread-safe: an object is never handed to two threads at once (two
//     threads never get the same object without a put() between), and with 4
//     threads doing get/put in a loop, New runs only a handful of times.
//   - The pool owns what it holds: destroying the pool destroys those objects.
//   - Objects come back as they were put: resetting them is the caller's job.
//
// Memory ordering: a put(x) happens before the get() that returns x.
//
// Hints:
//   - The simple version: a mutex and a std::vector<std::unique_ptr<T>>.
//   - The fast version (Go keeps one cache per processor): several such
//     free lists, each on its own cache line, and a "home" list per thread
//     (a thread_local index); get() looks at the home list first and steals
//     from the others only when it is empty.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "go/todo.hpp"

namespace go {

template <class T>
class Pool {
 public:
  using New = std::function<std::unique_ptr<T>()>;

  // Pool(new_fn): new_fn (Go's New) makes an object when get() finds the pool
  // empty; without one, get() on an empty pool returns nullptr.
  Pool() = default;
  explicit Pool(New new_fn) {
    (void)new_fn;
    throw go::todo("Pool::Pool");  // TODO: keep new_fn
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // get: an object put() earlier (by any thread), taken out of the pool and
  // unchanged; only when the pool is empty, new_fn() (or nullptr). Never
  // blocks; never hands one object to two threads.
  std::unique_ptr<T> get() {
    throw go::todo("Pool::get");  // TODO: reuse a pooled object, from any thread's put; make one only when empty
  }

  // put(x): gives x to the pool for a later get(); put(nullptr) does nothing.
  void put(std::unique_ptr<T> x) {
    (void)x;
    throw go::todo("Pool::put");  // TODO: keep x for a later get(), ignoring nullptr
  }

  // put_all: put every object of xs (skip nullptrs), leaving nullptrs behind.
  void put_all(std::span<std::unique_ptr<T>> xs) {
    (void)xs;
    throw go::todo("Pool::put_all");  // TODO: like put, but one lock for the lot
  }

 private:
  // TODO: keep the New function and the free list(s)
};

}  // namespace go
