#include "support/thread_census.hpp"

#include <dirent.h>

#include <fstream>
#include <thread>

namespace go_test {

std::size_t thread_count() {
  std::size_t count = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
  }
  return count;
}

std::string thread_names() {
  std::string names;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
      std::string name;
      std::getline(comm, name);
      if (!names.empty()) names += ", ";
      names += name;
    }
    closedir(dir);
  }
  return names;
}

std::size_t wait_for_thread_count_at_most(std::size_t limit, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::size_t count = thread_count();
  while (count > limit && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    count = thread_count();
  }
  return count;
}

}  // namespace go_test
