// Acknowledged writes survive SIGKILL of the real annals-catalog process.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::Subprocess;
using ::annals::testing::TempDir;

struct RunningCatalog {
  std::unique_ptr<Subprocess> process;
  std::unique_ptr<v1::CatalogService::Stub> stub;
};

RunningCatalog StartCatalog(const std::string& data_dir) {
  RunningCatalog running;
  running.process = std::make_unique<Subprocess>(std::vector<std::string>{
      ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
      "--metrics_listen=off"});
  std::optional<std::string> port =
      running.process->WaitForLine(R"(listening on .* \(port (\d+)\))");
  EXPECT_TRUE(port.has_value()) << "annals-catalog did not start";
  if (port.has_value()) {
    running.stub = v1::CatalogService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + *port, grpc::InsecureChannelCredentials()));
  }
  return running;
}

TEST(CatalogDurabilityTest, AcknowledgedWritesSurviveSigkill) {
  TempDir dir;
  std::string data_dir = dir.Sub("catalog");
  RunningCatalog catalog = StartCatalog(data_dir);
  ASSERT_NE(catalog.stub, nullptr);

  // Writers keep writing until the kill; only acknowledged ids count.
  std::mutex mu;
  std::set<std::string> acknowledged;
  int64_t max_sequence = 0;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load() && i < 100000; ++i) {
        v1::CreateEntityRequest request;
        request.set_entity_id("w" + std::to_string(w) + "-" +
                              std::to_string(i));
        request.mutable_entity()->set_kind("event");
        request.mutable_entity()->set_label("event");
        v1::Entity response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(5));
        if (catalog.stub->CreateEntity(&context, request, &response).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.insert(response.name());
          max_sequence = std::max(max_sequence, response.sequence());
        }
      }
    });
  }
  // Let a few hundred writes land, then kill without warning.
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard<std::mutex> lock(mu);
    if (acknowledged.size() >= 300) break;
  }
  catalog.process->Kill(SIGKILL);
  stop = true;
  for (auto& writer : writers) writer.join();
  ASSERT_GE(acknowledged.size(), 300u);

  RunningCatalog restarted = StartCatalog(data_dir);
  ASSERT_NE(restarted.stub, nullptr);
  for (const std::string& name : acknowledged) {
    v1::GetEntityRequest request;
    request.set_name(name);
    v1::Entity entity;
    grpc::ClientContext context;
    ASSERT_OK(restarted.stub->GetEntity(&context, request, &entity)) << name;
  }
  // Sequences continue after the highest acknowledged one.
  v1::CreateEntityRequest request;
  request.set_entity_id("after-restart");
  request.mutable_entity()->set_kind("event");
  request.mutable_entity()->set_label("after");
  v1::Entity entity;
  grpc::ClientContext context;
  ASSERT_OK(restarted.stub->CreateEntity(&context, request, &entity));
  EXPECT_GT(entity.sequence(), max_sequence);

  // The feed has exactly one change per sequence up to the new write.
  grpc::ClientContext feed_context;
  feed_context.set_deadline(std::chrono::system_clock::now() +
                            std::chrono::seconds(30));
  v1::WatchChangesRequest watch;
  auto reader = restarted.stub->WatchChanges(&feed_context, watch);
  v1::WatchChangesResponse message;
  int64_t expected = 1;
  while (expected <= entity.sequence() && reader->Read(&message)) {
    for (const auto& change : message.changes()) {
      ASSERT_EQ(change.sequence(), expected);
      ++expected;
    }
  }
  EXPECT_EQ(expected, entity.sequence() + 1);
  feed_context.TryCancel();
  reader->Finish().IgnoreError();
  EXPECT_EQ(restarted.process->Kill(SIGTERM), 0) << "clean exit on SIGTERM";
}

}  // namespace
}  // namespace annals::catalog
