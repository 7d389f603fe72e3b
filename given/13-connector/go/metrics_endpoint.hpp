// go::MetricsEndpoint: serves one page, /metrics, over HTTP on the loopback
// interface, from a function called once per scrape. Given code: the same in
// both tracks. Lesson: phases/13-connector/README.md, "Instrumentation".
//
//   go::MetricsEndpoint http([&] { return connector.prometheus_text(); });  // port 0: any free port
//   std::printf("curl http://127.0.0.1:%u/metrics\n", http.port());
//   ...
//   http.stop();  // or the destructor
//
// Contract:
//   - Listens on 127.0.0.1:port (0 picks a free port; port() says which)
//     and answers each connection with one HTTP/1.0 response, then closes it:
//     GET /metrics -> 200, Content-Type text/plain; version=0.0.4, the body;
//     any other path -> 404; anything but GET -> 405.
//   - One thread accepts and answers, one connection at a time; a client that
//     sends nothing for a second is dropped, so it cannot stall the endpoint.
//   - stop() (and the destructor) wakes the thread, joins it and closes the
//     socket; a second stop() does nothing. A port in use throws
//     std::system_error.
//
// Why not a library: Prometheus scrapes with a plain GET; fifty lines of
// sockets keep the phase's library free of a dependency a student would
// have to install. The service (services/13-connector) is the place for a
// full HTTP server if one is ever needed.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace go {

class MetricsEndpoint {
 public:
  explicit MetricsEndpoint(std::function<std::string()> body, std::uint16_t port = 0) : body_(std::move(body)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::system_error(errno, std::generic_category(), "metrics endpoint: socket");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0) {
      const int err = errno;
      ::close(listen_fd_);
      throw std::system_error(err, std::generic_category(), "metrics endpoint: bind 127.0.0.1:" + std::to_string(port));
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (::pipe2(wake_, O_CLOEXEC) != 0) {
      ::close(listen_fd_);
      throw std::system_error(errno, std::generic_category(), "metrics endpoint: pipe");
    }
    thread_ = std::thread([this] { serve(); });
  }
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;
  ~MetricsEndpoint() { stop(); }

  std::uint16_t port() const { return port_; }

  void stop() {
    if (!thread_.joinable()) return;
    const char byte = 0;
    (void)!::write(wake_[1], &byte, 1);  // wakes the poll() in serve()
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

 private:
  void serve() {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents != 0) return;  // stop()
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      answer(fd);
      ::close(fd);
    }
  }

  void answer(int fd) {
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) return;  // a silent client is dropped
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::string status = "200 OK";
    std::string body;
    if (request.rfind("GET ", 0) != 0) {
      status = "405 Method Not Allowed";
    } else if (request.rfind("GET /metrics ", 0) != 0 && request.rfind("GET /metrics?", 0) != 0) {
      status = "404 Not Found";
    } else {
      body = body_();
    }
    std::string response = "HTTP/1.0 " + status +
                           "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = ::send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  std::function<std::string()> body_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace go
