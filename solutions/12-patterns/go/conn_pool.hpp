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
// Why one header (about 330 lines): the pool's one mutex guards the idle
// list, the open count and the waiter queue together.
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

  ConnPool(ConnPoolOptions options, Opener open, HealthCheck healthy = {}) {
    if (options.max_open == 0) throw std::invalid_argument("go::ConnPool: max_open must be > 0");
    if (!open) throw std::invalid_argument("go::ConnPool: nil opener");
    if (options.max_lifetime < Duration::zero()) throw std::invalid_argument("go::ConnPool: negative max_lifetime");
    options.max_idle = std::min(options.max_idle, options.max_open);
    core_ = std::make_shared<Core>(options, std::move(open), std::move(healthy));
  }
  ConnPool(const ConnPool&) = delete;
  ConnPool& operator=(const ConnPool&) = delete;
  ~ConnPool() { core_->close(); }

  Lease get(const Context& ctx) { return core_->get(core_, ctx); }
  ConnPoolStats stats() const { return core_->stats(); }

 private:
  struct Idle {
    std::unique_ptr<Conn> conn;
    TimePoint created;
  };
  // A caller waiting in get(). Shared with the ctx callback, which may run
  // after the caller has left.
  struct Waiter {
    std::condition_variable cv;
    bool granted = false;        // guarded by Core::mu
    std::unique_ptr<Conn> conn;  // the handed-over connection; empty with granted: open one (the slot is ours)
    TimePoint created{};
  };

  struct Core {
    Core(ConnPoolOptions o, Opener op, HealthCheck h)
        : options(o), clock(o.clock != nullptr ? o.clock : &real_clock()), open_conn(std::move(op)), healthy(std::move(h)) {}

    Lease get(const std::shared_ptr<Core>& self, const Context& ctx) {
      if (std::error_code err = ctx.err()) throw std::system_error(err);
      annotated_lock lock(mu);
      for (;;) {
        if (!idle.empty()) {
          Idle c = std::move(idle.back());  // the most recently returned: the warmest
          idle.pop_back();
          if (usable(c, lock)) return Lease(self, std::move(c.conn), c.created);
          continue;
        }
        if (open < options.max_open) {
          ++open;  // counted while being opened: never more than max_open
          return open_new(self, lock);
        }
        // Wait, first come first served. Registered with the lock released:
        // after_func runs the callback at once if ctx is done already.
        auto w = std::make_shared<Waiter>();
        waiters.push_back(w);
        ++counters.wait_count;
        const TimePoint start = clock->now();
        lock.native().unlock();
        StopFunc stop = after_func(ctx, [self, w] {
          annotated_lock wake(self->mu);
          w->cv.notify_one();
        });
        lock.native().lock();
        // Woken by put() (granted) or by the ctx callback.
        w->cv.wait(lock.native(), [&] { return w->granted || ctx.err(); });
        counters.wait_duration += clock->now() - start;
        lock.native().unlock();
        (void)stop();
        lock.native().lock();
        if (!w->granted) {  // ctx is done: leave the queue
          waiters.erase(std::find(waiters.begin(), waiters.end(), w));
          throw std::system_error(ctx.err());
        }
        if (!w->conn) return open_new(self, lock);  // a slot passed to us
        Idle c{std::move(w->conn), w->created};
        if (usable(c, lock)) return Lease(self, std::move(c.conn), c.created);
        // That one was not usable and is closed: try again from the top.
      }
    }

    // put: a lease's return.
    void put(std::unique_ptr<Conn> conn, TimePoint created, bool broken) {
      std::unique_ptr<Conn> to_close;
      annotated_lock lock(mu);
      const bool too_old = expired(created);
      if (broken || too_old || closed) {
        if (broken) {
          ++counters.closed_broken;
        } else if (too_old) {
          ++counters.closed_lifetime;
        }
        to_close = std::move(conn);
        if (!closed && !waiters.empty()) {
          grant(nullptr, TimePoint{});  // the slot passes to the oldest waiter
        } else {
          --open;
        }
      } else if (!waiters.empty()) {
        grant(std::move(conn), created);  // straight to the oldest waiter
      } else if (idle.size() < options.max_idle) {
        idle.push_back(Idle{std::move(conn), created});
      } else {
        ++counters.closed_idle;
        --open;
        to_close = std::move(conn);
      }
      lock.native().unlock();
      to_close.reset();  // a connection's destructor may be slow: not under the lock
    }

    ConnPoolStats stats() {
      annotated_lock lock(mu);
      ConnPoolStats s = counters;
      s.open = open;
      s.idle = idle.size();
      s.in_use = open - idle.size();
      return s;
    }

    void close() {
      std::deque<Idle> to_close;
      annotated_lock lock(mu);
      closed = true;
      open -= idle.size();
      to_close.swap(idle);
      lock.native().unlock();
    }

    // Pops the oldest waiter and hands it conn (or, with nullptr, the slot).
    void grant(std::unique_ptr<Conn> conn, TimePoint created) GO_REQUIRES(mu) {
      std::shared_ptr<Waiter> w = std::move(waiters.front());
      waiters.pop_front();
      w->conn = std::move(conn);
      w->created = created;
      w->granted = true;
      w->cv.notify_one();
    }

    bool expired(TimePoint created) const {
      return options.max_lifetime > Duration::zero() && clock->now() - created >= options.max_lifetime;
    }

    // usable: true if c may be handed out; else closes it and frees its slot.
    // The health check runs without the lock (it may do I/O).
    bool usable(Idle& c, annotated_lock& lock) GO_REQUIRES(mu) {
      bool ok = !expired(c.created);
      if (!ok) {
        ++counters.closed_lifetime;
      } else if (healthy) {
        lock.native().unlock();
        ok = healthy(*c.conn);
        lock.native().lock();
        if (!ok) ++counters.closed_broken;
      }
      if (ok) return true;
      --open;
      lock.native().unlock();
      c.conn.reset();
      lock.native().lock();
      return false;
    }

    // open_new: opens a connection for a slot already counted in `open`.
    Lease open_new(const std::shared_ptr<Core>& self, annotated_lock& lock) GO_REQUIRES(mu) {
      lock.native().unlock();
      std::unique_ptr<Conn> conn;
      try {
        conn = open_conn();
        if (!conn) throw std::invalid_argument("go::ConnPool: the opener returned nullptr");
      } catch (...) {
        lock.native().lock();
        if (!waiters.empty()) {
          grant(nullptr, TimePoint{});  // let the next waiter try
        } else {
          --open;
        }
        throw;
      }
      const TimePoint created = clock->now();
      lock.native().lock();
      return Lease(self, std::move(conn), created);
    }

    const ConnPoolOptions options;
    Clock* const clock;
    const Opener open_conn;
    const HealthCheck healthy;
    annotated_mutex mu;
    std::size_t open GO_GUARDED_BY(mu) = 0;
    std::deque<Idle> idle GO_GUARDED_BY(mu);                       // back: most recently returned
    std::deque<std::shared_ptr<Waiter>> waiters GO_GUARDED_BY(mu);  // front: the oldest
    ConnPoolStats counters GO_GUARDED_BY(mu);
    bool closed GO_GUARDED_BY(mu) = false;
  };

  std::shared_ptr<Core> core_;
};

}  // namespace go
