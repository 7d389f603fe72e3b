// widen_listen_backlog(port): give a cpp-httplib server's listening socket a
// full-sized accept queue.
//
//   httplib::Server server;
//   const int port = server.bind_to_any_port("127.0.0.1");
//   widen_listen_backlog(port);
//   std::thread t([&] { server.listen_after_bind(); });
//
// Debian's libcpp-httplib (0.11) listens with a backlog of 5, fixed when the
// library was compiled. Eight clients connecting at once overflow it; the
// kernel drops the extra SYNs, and each dropped client retries after a
// second. A scrape with 8 workers then runs at one page per worker-second
// instead of thousands per second. Calling listen() again on a listening
// socket only changes its backlog (Linux), so we find the server's socket by
// its port and do that. Returns false if no listening socket has that port.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

namespace scraper_demo {

inline bool widen_listen_backlog(int port) {
  bool found = false;
  for (int fd = 3; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) continue;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port && listen(fd, SOMAXCONN) == 0) found = true;
  }
  return found;
}

}  // namespace scraper_demo
