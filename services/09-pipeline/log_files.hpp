// Files for the log-pipeline command: a source that reads lines from a file
// or stdin (and follows a growing file, like tail -F), and an output that
// writes to a file or stdout. Given code: phase 09's lesson is the pipeline,
// not POSIX I/O.
//
//   go::Source src = logio::open_source("a.log", {.follow = true});   // throws logio::Error
//   go::EntryWriter out = logio::open_output("out.log");              // throws logio::Error
//
// A source reads in 64 KiB blocks and never blocks for long: stdin and pipes
// are polled (100 ms at a time) so that the pipeline's stop context is seen;
// a followed file that has no new data sleeps poll_interval on the context
// (go::sleep), and notices truncation (starts over) and rotation (the path
// names a new file: reopens it). A read error ends the source by throwing,
// which generate does not expect: it is reported by the command.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "go/context.hpp"
#include "go/context_ops.hpp"
#include "go/log_entry.hpp"
#include "go/pipeline_stages.hpp"

namespace logio {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::string errno_text(int err) { return std::strerror(err); }

struct SourceOptions {
  bool follow = false;
  go::Duration poll_interval = std::chrono::milliseconds(100);
  go::Clock* clock = nullptr;
};

class FdReader {
 public:
  FdReader(std::string path, SourceOptions options) : path_(std::move(path)), options_(options) {
    if (path_ == "-") {
      fd_ = STDIN_FILENO;
      pipe_like_ = true;
      return;
    }
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error("cannot read " + path_ + ": " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
      ::close(fd_);
      throw Error("cannot read " + path_ + ": " + (S_ISDIR(st.st_mode) ? "is a directory" : errno_text(errno)));
    }
    pipe_like_ = !S_ISREG(st.st_mode);
    inode_ = st.st_ino;
  }
  FdReader(const FdReader&) = delete;
  FdReader& operator=(const FdReader&) = delete;
  ~FdReader() {
    if (fd_ > STDIN_FILENO) ::close(fd_);
  }

  // next: the next line, or nullopt at the end (or once stop is done).
  std::optional<std::string> next(const go::Context& stop) {
    for (;;) {
      if (const std::size_t nl = buf_.find('\n', scanned_); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        scanned_ = 0;
        return line;
      }
      scanned_ = buf_.size();
      if (stop.err()) return std::nullopt;
      const long n = read_some(stop);
      if (n > 0) continue;
      if (n < 0) continue;  // nothing yet (polled, or slept while following): look at stop again
      // End of file.
      if (options_.follow && !pipe_like_) {
        reopen_if_rotated();
        if (go::sleep(stop, options_.poll_interval, clock())) return std::nullopt;  // stop: done
        continue;
      }
      if (buf_.empty()) return std::nullopt;
      std::string last = std::move(buf_);  // a last line without '\n'
      buf_.clear();
      scanned_ = 0;
      return last;
    }
  }

 private:
  go::Clock& clock() { return options_.clock ? *options_.clock : go::real_clock(); }

  // > 0: bytes appended; 0: end of file; < 0: nothing yet, try again.
  long read_some(const go::Context& stop) {
    if (pipe_like_) {
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready == 0 || (ready < 0 && errno == EINTR)) return -1;
      (void)stop;
    }
    char chunk[64 * 1024];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return -1;
      throw Error("cannot read " + path_ + ": " + errno_text(errno));
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    offset_ += n;
    return n;
  }

  void reopen_if_rotated() {
    struct stat now {};
    if (::stat(path_.c_str(), &now) != 0) return;  // gone for now (rotation in progress): keep what we have
    if (now.st_ino != inode_) {                     // a new file under the name: read it from its start
      const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return;
      ::close(fd_);
      fd_ = fd;
      inode_ = now.st_ino;
      offset_ = 0;
    } else if (now.st_size < offset_) {  // truncated: start over
      ::lseek(fd_, 0, SEEK_SET);
      offset_ = 0;
    }
  }

  std::string path_;
  SourceOptions options_;
  int fd_ = -1;
  bool pipe_like_ = false;
  ino_t inode_ = 0;
  off_t offset_ = 0;
  std::string buf_;
  std::size_t scanned_ = 0;  // buf_[0, scanned_) holds no '\n'
};

// open_source: opens now (so that a missing file is an error before anything
// starts), reads later, on the source's thread.
inline go::Source open_source(const std::string& path, SourceOptions options = {}) {
  auto reader = std::make_shared<FdReader>(path, options);
  return go::Source{path, [reader](const go::Context& stop) { return reader->next(stop); }};
}

// open_output: a buffered writer to a file (created or truncated) or stdout
// ("-"). flush_each: every line is flushed at once (for --follow, where a
// reader of the output is waiting for it).
inline go::EntryWriter open_output(const std::string& path, bool flush_each = false) {
  std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "w");
  if (f == nullptr) throw Error("cannot write " + path + ": " + errno_text(errno));
  std::shared_ptr<std::FILE> file(f, [](std::FILE* p) {
    if (p != stdout) std::fclose(p);
  });
  if (f != stdout) std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  return [file, path, flush_each](const go::LogEntry& e) {
    const std::string line = go::format_entry(e);
    if (std::fwrite(line.data(), 1, line.size(), file.get()) != line.size() || std::fputc('\n', file.get()) == EOF ||
        (flush_each && std::fflush(file.get()) != 0)) {
      throw Error("cannot write " + path + ": " + errno_text(errno));
    }
  };
}

}  // namespace logio
