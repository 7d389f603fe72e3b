// go::start_grpc_server: how every gRPC service of the workbook (phase 08's
// collector-server, phase 11's pubsub-server, phase 13's connector-server)
// starts listening, so that they all treat an address the same way.
//
//   grpc::ServerBuilder builder;
//   builder.RegisterService(&service);
//   int port = 0;
//   std::unique_ptr<grpc::Server> server = go::start_grpc_server(builder, "127.0.0.1:0", port, "pubsub server");
//   std::string target = go::grpc_target("127.0.0.1:0", port);   // "127.0.0.1:40123", for a client
//
// The address is host:port; port 0 asks for any free port, which `port` then
// holds. A busy port is an error (std::runtime_error naming the server and
// the address): gRPC sets SO_REUSEPORT by default, so a second server on a
// busy port would otherwise share it silently.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace go {

inline std::unique_ptr<grpc::Server> start_grpc_server(grpc::ServerBuilder& builder, const std::string& address,
                                                       int& port, const std::string& who) {
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) throw std::runtime_error(who + ": cannot listen on " + address);
  return server;
}

// host:port for a client's channel: the address's host, the port listened on.
inline std::string grpc_target(const std::string& address, int port) {
  return address.substr(0, address.rfind(':')) + ":" + std::to_string(port);
}

}  // namespace go
