// go::ConnectorFactory: one connector instance per component id, whichever
// pipeline asks for it: the traces pipeline (create_traces) and the metrics
// pipeline (create_metrics) get the same go::Connector, each wiring its own
// consumer into it. Lesson: phases/13-connector/README.md, "One shared instance".
//
//   go::ConnectorFactory factory;
//   auto a = factory.create_traces("entity/1", cfg, traces_exporter);
//   auto b = factory.create_metrics("entity/1", cfg, metrics_exporter);   // a == b
//   a->start(); b->start();          // the second start does nothing
//   a->shutdown(); b->shutdown();    // the sequence runs once
//
// Contract (the tests check each point):
//   - create_traces(id, cfg, next) / create_metrics(id, cfg, next): the
//     connector of id, made from cfg by the first of the two calls (a later
//     call's cfg is not used), with next set as its traces (metrics)
//     consumer. Different ids, different instances. An empty id throws
//     std::invalid_argument; so does an invalid cfg on the first call.
//   - The factory keeps each instance alive until the factory is destroyed;
//     the instance's own Once makes its shutdown run once.
//   - Thread-safe: pipelines may be built concurrently.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "go/annotated_mutex.hpp"
#include "go/connector.hpp"

namespace go {

class ConnectorFactory {
 public:
  std::shared_ptr<Connector> create_traces(const std::string& id, const ConnectorConfig& cfg, TracesConsumer& next) {
    std::shared_ptr<Connector> c = instance(id, cfg);
    c->set_traces_consumer(&next);
    return c;
  }

  std::shared_ptr<Connector> create_metrics(const std::string& id, const ConnectorConfig& cfg, MetricsConsumer& next) {
    std::shared_ptr<Connector> c = instance(id, cfg);
    c->set_metrics_consumer(&next);
    return c;
  }

  std::size_t size() const {
    annotated_lock lock(mu_);
    return instances_.size();
  }

 private:
  std::shared_ptr<Connector> instance(const std::string& id, const ConnectorConfig& cfg) {
    if (id.empty()) throw std::invalid_argument("connector: empty component id");
    annotated_lock lock(mu_);
    std::shared_ptr<Connector>& slot = instances_[id];
    if (!slot) {
      try {
        slot = std::make_shared<Connector>(cfg);
      } catch (...) {
        instances_.erase(id);
        throw;
      }
    }
    return slot;
  }

  mutable annotated_mutex mu_;
  std::map<std::string, std::shared_ptr<Connector>> instances_ GO_GUARDED_BY(mu_);
};

}  // namespace go
