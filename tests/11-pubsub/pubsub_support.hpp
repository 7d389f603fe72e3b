// Helpers for phase 11's tests: what a subscription holds, as a list.
#pragma once

#include <string>
#include <vector>

#include "go/broker.hpp"

namespace go_test {

// drain: every message the subscription's buffer holds now, without waiting.
inline std::vector<go::Message> drain(go::Subscription& sub) {
  std::vector<go::Message> out;
  for (;;) {
    go::RecvResult<go::Message> r = sub.try_recv();
    if (r.status != go::ChanStatus::ok) return out;
    out.push_back(std::move(*r.value));
  }
}

inline std::vector<std::string> payloads(const std::vector<go::Message>& ms) {
  std::vector<std::string> out;
  for (const go::Message& m : ms) out.push_back(m.payload);
  return out;
}

inline std::vector<std::string> topics(const std::vector<go::Message>& ms) {
  std::vector<std::string> out;
  for (const go::Message& m : ms) out.push_back(m.topic);
  return out;
}

}  // namespace go_test
