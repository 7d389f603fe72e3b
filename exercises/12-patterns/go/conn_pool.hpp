// go::ConnPool<Conn>: a connection pool in the manner of Go's database/sql:
// at most max_open connections, up to max_idle of them kept for reuse, a FIFO
// queue of callers waiting for one, each wait cancellable by its context.
// Lesson: phases/12-patterns/README.md, "Connection pool".
//
//   go::ConnPool<PgConn> pool({.max_open = 10, .max_idle = 4, .max_lifetime = 30min},
//                             [] { return std::make_unique<PgConn>(dsn); },   // opens one
//                             [](PgConn& c) { return c.ping(); });            // health check
//   {
//     auto conn = pool.get(ctx);   // db.Conn(ctx): waits if 10 are in use
//     conn->query("...");
//     if (lost) conn.mark_broken();
//   }                              // returned (or closed, if broken) here
//
// Contract (the tests check each point):
//   - get(ctx) gives a connection in this order of preference: an idle one
//     (the most recently returned) that is younger than max_lifetime and
//     passes the health check (one that does not is closed, and the next is
//     tried); a new one, if fewer than max_open are open; else it waits.
//     Waiters are served first come, first served: a returned connection
//     goes straight to the oldest waiter, never to the idle list while
//     someone waits. Woken by a return, or by ctx being done: then it throws
//     std::system_error(ctx.err()) and leaves the queue.
//   - A Lease returns its connection when destroyed (or on release()). A
//     connection marked broken, or past max_lifetime, is closed (destroyed)
//     instead; if someone waits, that waiter may open a replacement (the
//     slot passes to it). Beyond max_idle idle connections, a returned one
//     is closed.
//   - Never more than max_open connections exist at once (open counts the
//     connections being opened, idle and in use).
//   - An exception from the opener reaches the caller of get(); the slot is
//     freed (and passed to a waiter, who then tries to open one itself).
//   - stats(): open, idle, in use, wait_count (gets that had to wait),
//     wait_duration (their total wait, on the pool's clock) and how many
//     connections were closed for being broken or unhealthy, too old, or in
//     excess of max_idle. Go's sql.DBStats.
//   - Destroy the pool only when no get() is in progress; leases may
//     outlive it (their connection is then closed on return).
//   - Bad input throws std::invalid_argument: max_open 0, a nil opener, a
//     negative max_lifetime, an opener that returns nullptr (from get).
//     max_idle above max_open is lowered to max_open (Go does the same).
//
// Invariants, under Core::mu: open == idle.size() + connections lent out +
// connections being opened, and open <= max_open; idle.size() <= max_idle;
// waiters is non-empty only while idle is empty (a return goes to a waiter
// before it could go to the idle list).
//
// Hints:
//   - One mutex guards everything: the count of open connections (being
//     opened, idle or in use), the idle list, the queue of waiters, the
//     counters. Count a connection in `open` *before* you open it, with the
//     lock held, or two callers can both see room for one.
//   - A waiter is a small struct with its own condition variable, queued at
//     the back of a std::deque; a return hands the connection to the front
//     one directly (set its fields, notify it) instead of making it race
//     newcomers for the idle list. Keep waiters in std::shared_ptr: the
//     context's callback may run after the waiter left.
//   - A condition variable cannot wait on ctx.done(): register
//     go::after_func(ctx, f) with the lock released, f locking the mutex and
//     notifying the waiter; stop it afterwards. A waiter that gives up must
//     leave the queue.
//   - Run the opener, the health check and connection destructors without
//     the lock: they do I/O.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "go/annotated_mutex.hpp"
#include "go/clock.hpp"
#include "go/context.hpp"
#include "go/todo.hpp"

namespace go {

struct ConnPoolOptions {
  std::size_t max_open = 0;                   // required
  std::size_t max_idle = 2;                   // database/sql's default
  Duration max_lifetime = Duration::zero();   // zero: connections never age out
  Clock* clock = nullptr;                     // nullptr: go::real_clock()
};

struct ConnPoolStats {
  std::size_t open = 0;
  std::size_t idle = 0;
  std::size_t in_use = 0;
  std::uint64_t wait_count = 0;
  Duration wait_duration = Duration::zero();
  std::uint64_t closed_broken = 0;    // returned broken, or failed the health check
  std::uint64_t closed_lifetime = 0;  // older than max_lifetime
  std::uint64_t closed_idle = 0;      // returned when max_idle were idle already
};

template <class Conn>
class ConnPool {
 public:
  using Opener = std::function<std::unique_ptr<Conn>()>;
  using HealthCheck = std::function<bool(Conn&)>;

 private:
  struct Core;

 public:
  // Lease: one checked-out connection. Move-only; returns it when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        release();
        core_ = std::move(other.core_);
        conn_ = std::move(other.conn_);
        created_ = other.created_;
        broken_ = other.broken_;
      }
      return *this;
    }
    ~Lease() { release(); }

    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }
    explicit operator bool() const { return conn_ != nullptr; }

    // mark_broken: the connection is not to be reused: closed on return.
    void mark_broken() { broken_ = true; }

    // release: returns the connection now. Idempotent.
    void release() {
      if (core_ && conn_) core_->put(std::move(conn_), created_, broken_);
      core_.reset();
      conn_.reset();
    }

   private:
    friend class ConnPool;
    Lease(std::shared_ptr<Core> core, std::unique_ptr<Conn> conn, TimePoint created)
        : core_(std::move(core)), conn_(std::move(conn)), created_(created) {}
    std::shared_ptr<Core> core_;
    std::unique_ptr<Conn> conn_;
    TimePoint created_{};
    bool broken_ = false;
  };

  // Validates the options (see the contract) and makes the pool's Core.
  ConnPool(ConnPoolOptions options, Opener open, HealthCheck healthy = {}) {
    (void)options;
    (void)open;
    (void)healthy;
    throw go::todo("ConnPool::ConnPool");  // TODO: validate, clamp max_idle, core_ = std::make_shared<Core>(...)
  }
  ConnPool(const ConnPool&) = delete;
  ConnPool& operator=(const ConnPool&) = delete;
  ~ConnPool() {
    if (core_) core_->close();
  }

  Lease get(const Context& ctx) { return core_->get(core_, ctx); }
  ConnPoolStats stats() const { return core_->stats(); }

 private:
  // Core: the pool's state, shared with its leases (a lease may outlive the pool).
  struct Core {
    // get: an idle usable connection, a new one, or wait (FIFO, ctx-aware).
    Lease get(const std::shared_ptr<Core>& self, const Context& ctx) {
      (void)self;
      (void)ctx;
      throw go::todo("ConnPool::get");  // TODO: idle, else open if below max_open, else queue and wait
    }

    // put: a lease's return: close (broken, too old), hand to the oldest waiter, keep idle, or close.
    void put(std::unique_ptr<Conn> conn, TimePoint created, bool broken) {
      (void)conn;
      (void)created;
      (void)broken;
      throw go::todo("ConnPool::put");  // TODO: the four cases of the contract
    }

    ConnPoolStats stats() { throw go::todo("ConnPool::stats"); }  // TODO: the counters, plus open/idle/in use

    // close: the pool is going away: close the idle connections. Must not throw.
    void close() {}  // TODO: mark the pool closed and close every idle connection (outside the lock)

    // TODO: your state: options, clock, opener, health check, mutex, open
    // count, idle list, waiters, counters.
  };

  std::shared_ptr<Core> core_;
};

}  // namespace go
