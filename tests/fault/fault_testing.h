// Shared pieces of the fault tests (tests/fault): run settings from the
// environment, the seed, reports, gRPC channels that reconnect quickly, and
// whole reads of the catalog's change feed and entities.
//
// Environment:
//   ANNALS_FULL=1        longer runs (more crash cycles).
//   ANNALS_SEED=N        replay a run; every test prints the seed it used.
//   ANNALS_REPORT_DIR=D  where tests write their figures as JSON.
#ifndef ANNALS_TESTS_FAULT_FAULT_TESTING_H_
#define ANNALS_TESTS_FAULT_FAULT_TESTING_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "tests/testing/annals_world.h"

namespace annals::testing {

// Whether ANNALS_FULL=1 asks for the long variants.
inline bool FullRun() {
  const char* full = std::getenv("ANNALS_FULL");
  return full != nullptr && std::string(full) == "1";
}

// The integer in environment variable `name`, or `fallback` when it is unset
// or not a positive integer.
inline int EnvCount(const char* name, int fallback) {
  const char* text = std::getenv(name);
  int value = 0;
  if (text == nullptr || !absl::SimpleAtoi(text, &value) || value <= 0) {
    return fallback;
  }
  return value;
}

// ANNALS_SEED when set, else a fresh one; printed either way so that a
// failing run can be replayed.
inline uint64_t TestSeed(const char* test) {
  uint64_t seed = 0;
  const char* text = std::getenv("ANNALS_SEED");
  if (text == nullptr || !absl::SimpleAtoi(text, &seed)) {
    seed = (static_cast<uint64_t>(std::random_device()()) << 32) ^
           static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  }
  std::printf("[%s] seed %llu (replay with ANNALS_SEED=%llu)\n", test,
              static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  return seed;
}

// Writes `json` to $ANNALS_REPORT_DIR/`file_name`; does nothing when the
// variable is unset. Returns false if the file could not be written.
inline bool WriteReport(const std::string& file_name, const std::string& json) {
  const char* dir = std::getenv("ANNALS_REPORT_DIR");
  if (dir == nullptr || *dir == '\0') return true;
  std::ofstream out(std::string(dir) + "/" + file_name);
  out << json << "\n";
  return static_cast<bool>(out);
}

// A channel of its own (no subchannel shared with other channels) that
// retries a vanished server every 50-250 ms: a restarted service is reached
// at once instead of after gRPC's default backoff of up to two minutes.
// (GRPC_ARG_MIN_RECONNECT_BACKOFF_MS stays unset: gRPC also takes it as the
// time a connection attempt may take, and a loaded machine needs more than
// a few hundred milliseconds.)
inline std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

inline std::unique_ptr<catalog::v1::CatalogService::Stub> FreshCatalogStub(
    const std::string& address) {
  return catalog::v1::CatalogService::NewStub(FreshChannel(address));
}

// The change feed from its first sequence, as one WatchChanges stream
// delivered it.
struct FeedRead {
  // From the stream's first message.
  std::string catalog_id;
  int64_t head = -1;
  // The changes 1..head in order, changes[i] at sequence i + 1, when
  // `problem` is empty.
  std::vector<catalog::v1::Change> changes;
  // Empty when the stream delivered each sequence 1..head exactly once, in
  // order; otherwise what went wrong (a gap, a repeat, a short stream).
  std::string problem;
};

// Reads the whole change feed, up to the head announced by the stream's
// first message (and any later changes delivered with it).
inline FeedRead ReadWholeFeed(catalog::v1::CatalogService::Stub& stub,
                              absl::Duration timeout = absl::Seconds(60)) {
  FeedRead feed;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  catalog::v1::WatchChangesRequest request;
  std::unique_ptr<grpc::ClientReader<catalog::v1::WatchChangesResponse>>
      reader = stub.WatchChanges(&context, request);
  catalog::v1::WatchChangesResponse message;
  if (!reader->Read(&message)) {
    grpc::Status status = reader->Finish();
    feed.problem =
        absl::StrCat("the feed sent no first message: ", status.error_code(),
                     " ", status.error_message());
    return feed;
  }
  feed.catalog_id = message.catalog_id();
  feed.head = message.head_sequence();
  if (message.changes_size() != 0) {
    feed.problem = "the first message carried changes";
  }
  int64_t expected = 1;
  while (feed.problem.empty() && expected <= feed.head &&
         reader->Read(&message)) {
    for (const catalog::v1::Change& change : message.changes()) {
      if (change.sequence() != expected) {
        feed.problem = absl::StrCat(
            "expected sequence ", expected, ", got ", change.sequence(),
            change.sequence() < expected ? " (a repeat)" : " (a gap)");
        break;
      }
      feed.changes.push_back(change);
      ++expected;
    }
  }
  if (feed.problem.empty() && expected <= feed.head) {
    feed.problem = absl::StrCat("the feed ended at sequence ", expected - 1,
                                " below its head ", feed.head);
  }
  context.TryCancel();
  reader->Finish().IgnoreError();
  return feed;
}

// Every entity, deleted ones included, in id order; sets *error on failure.
inline std::vector<catalog::v1::Entity> ListAllEntities(
    catalog::v1::CatalogService::Stub& stub, std::string* error) {
  std::vector<catalog::v1::Entity> entities;
  std::string token;
  do {
    catalog::v1::ListEntitiesRequest request;
    request.set_show_deleted(true);
    request.set_page_size(1000);
    request.set_page_token(token);
    catalog::v1::ListEntitiesResponse response;
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    grpc::Status status = stub.ListEntities(&context, request, &response);
    if (!status.ok()) {
      *error = absl::StrCat("ListEntities: ", status.error_code(), " ",
                            status.error_message());
      return entities;
    }
    for (catalog::v1::Entity& entity : *response.mutable_entities()) {
      entities.push_back(std::move(entity));
    }
    token = response.next_page_token();
  } while (!token.empty());
  return entities;
}

// Imports data/nmi (ANNALS_DATA_DIR) in its batches; returns the last
// sequence, or -1 (and *error) on failure.
inline int64_t ImportNmi(catalog::v1::CatalogService::Stub& stub,
                         std::string* error) {
  catalog::v1::ImportRecordsResponse response;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);  // the catalog is up, maybe just
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  auto writer = stub.ImportRecords(&context, &response);
  for (const catalog::v1::ImportRecordsRequest& batch :
       LoadNmiData(ANNALS_DATA_DIR)) {
    if (!writer->Write(batch)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) {
    *error = absl::StrCat("ImportRecords: ", status.error_code(), " ",
                          status.error_message());
    return -1;
  }
  return response.last_sequence();
}

// Imports `count` events "entities/{prefix}-{i}" dated 2025-03-12, in
// batches of 500; returns the last sequence, or -1 (and *error).
inline int64_t ImportEvents(catalog::v1::CatalogService::Stub& stub,
                            const std::string& prefix, int count,
                            std::string* error) {
  catalog::v1::ImportRecordsResponse response;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);  // the catalog is up, maybe just
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  auto writer = stub.ImportRecords(&context, &response);
  catalog::v1::ImportRecordsRequest batch;
  for (int i = 0; i < count; ++i) {
    catalog::v1::Entity* entity = batch.add_records()->mutable_entity();
    entity->set_name(absl::StrCat("entities/", prefix, "-", i));
    entity->set_kind("event");
    entity->set_label(absl::StrCat(prefix, " ", i));
    entity->mutable_lifespan()->set_edtf("2025-03-12");
    if (batch.records_size() == 500 || i == count - 1) {
      if (!writer->Write(batch)) break;
      batch.Clear();
    }
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) {
    *error = absl::StrCat("ImportRecords: ", status.error_code(), " ",
                          status.error_message());
    return -1;
  }
  return response.last_sequence();
}

// Seconds since `start`, for reports.
inline double SecondsSince(absl::Time start) {
  return absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace annals::testing

#endif  // ANNALS_TESTS_FAULT_FAULT_TESTING_H_
