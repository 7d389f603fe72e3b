// connector-load: a generator of job and entity spans for connector-server,
// with late jobs: in each batch, --late percent of the jobs have their job
// span sent only with the next batch, after their entity spans.
//
//   connector-load --target 127.0.0.1:PORT [--batches 50] [--batch 1000] [--late 20] [--jobs 10] [--entities 100]
//
// Batch b holds the job spans of its on-time jobs, the late job spans of
// batch b - 1, then --batch entity spans (every 50th an error). A last batch
// holds the last late jobs. Prints what it sent: entity spans, job spans,
// and the spans the server dropped (its queue was full).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "span_service.grpc.pb.h"

namespace {

namespace pb = ::workbook::collector::v1;

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "connector-load: %s\n"
               "usage: connector-load --target HOST:PORT [--batches N] [--batch N] [--late PERCENT] [--jobs N]"
               " [--entities N]\n",
               why.c_str());
  std::exit(2);
}

long number(const std::string& flag, const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (!text[0] || *end || v < 0) usage("not a number >= 0 for " + flag + ": " + text);
  return v;
}

void attribute(pb::Span* s, const char* key, const std::string& value) {
  pb::Attribute* a = s->add_attributes();
  a->set_key(key);
  a->set_value(value);
}

std::string trace_id(std::uint64_t n) {
  std::string id(16, '\0');
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target;
  long batches = 50, batch_size = 1000, late = 20, jobs = 10, entities = 100;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + flag);
    if (flag == "--target") {
      target = argv[i + 1];
    } else if (flag == "--batches") {
      batches = number(flag, argv[i + 1]);
    } else if (flag == "--batch") {
      batch_size = number(flag, argv[i + 1]);
    } else if (flag == "--late") {
      late = number(flag, argv[i + 1]);
    } else if (flag == "--jobs") {
      jobs = number(flag, argv[i + 1]);
    } else if (flag == "--entities") {
      entities = number(flag, argv[i + 1]);
    } else {
      usage("unknown option " + flag);
    }
  }
  if (target.empty()) usage("--target HOST:PORT is required");
  if (jobs < 1 || entities < 1 || late > 100) usage("--jobs and --entities >= 1, --late in [0, 100]");
  const long late_jobs = jobs * late / 100;

  auto stub = pb::SpanCollector::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  std::vector<pb::SendSpanBatchRequest> requests(static_cast<std::size_t>(batches + 1));
  auto job_span = [&](long b, long j, pb::SendSpanBatchRequest& into) {
    pb::Span* s = into.add_spans();
    const auto id = static_cast<std::uint64_t>(b * jobs + j + 1);
    s->set_trace_id(trace_id(id));
    s->set_span_id(id);
    s->set_service("scheduler");
    s->set_name("job");
    s->set_status(pb::SPAN_STATUS_OK);
    attribute(s, "connector.role", "job");
    attribute(s, "job.key", "job-" + std::to_string(j));
  };
  std::uint64_t entity_spans = 0, job_spans = 0;
  for (long b = 0; b < batches; ++b) {
    for (long j = late_jobs; j < jobs; ++j) job_span(b, j, requests[static_cast<std::size_t>(b)]);
    for (long j = 0; j < late_jobs; ++j) job_span(b, j, requests[static_cast<std::size_t>(b + 1)]);
    job_spans += static_cast<std::uint64_t>(jobs);
    for (long i = 0; i < batch_size; ++i) {
      pb::Span* s = requests[static_cast<std::size_t>(b)].add_spans();
      const auto job = static_cast<std::uint64_t>(b * jobs + i % jobs + 1);
      s->set_trace_id(trace_id(job));
      s->set_span_id((1ULL << 40) + static_cast<std::uint64_t>(b * batch_size + i));
      s->set_parent_id(job);
      s->set_service("worker");
      s->set_name("process");
      s->set_start_unix_nano(1'700'000'000'000'000'000 + i * 1000);
      s->set_end_unix_nano(1'700'000'000'000'000'000 + i * 1000 + 500);
      s->set_status(i % 50 == 0 ? pb::SPAN_STATUS_ERROR : pb::SPAN_STATUS_OK);
      attribute(s, "connector.role", "entity");
      attribute(s, "entity.key", "customer/" + std::to_string(i % entities));
      ++entity_spans;
    }
  }
  std::uint64_t dropped = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const pb::SendSpanBatchRequest& request : requests) {
    if (request.spans_size() == 0) continue;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    pb::SendSpanReply reply;
    const grpc::Status status = stub->SendSpanBatch(&ctx, request, &reply);
    if (!status.ok()) {
      std::fprintf(stderr, "connector-load: SendSpanBatch: %s\n", status.error_message().c_str());
      return 1;
    }
    dropped += reply.dropped();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("connector-load: sent %llu entity spans and %llu job spans (%ld%% of the jobs late) in %.2f s;"
              " the server dropped %llu\n",
              static_cast<unsigned long long>(entity_spans), static_cast<unsigned long long>(job_spans), late, seconds,
              static_cast<unsigned long long>(dropped));
  return 0;
}
