// A real catalog and a real timeline in process, over gRPC on 127.0.0.1
// ports chosen by the kernel, with the NATO data set loaded on request.
#ifndef ANNALS_TESTS_TESTING_ANNALS_WORLD_H_
#define ANNALS_TESTS_TESTING_ANNALS_WORLD_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "annals/catalog/v1/catalog_service.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/timeline/server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {

// The data set's import files, parsed, in name order.
inline std::vector<catalog::v1::ImportRecordsRequest> LoadNmiData(
    const std::string& dir) {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".textproto") {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<catalog::v1::ImportRecordsRequest> batches;
  for (const std::string& path : paths) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    catalog::v1::ImportRecordsRequest batch;
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(text.str(), &batch))
        << path;
    batches.push_back(std::move(batch));
  }
  return batches;
}

class AnnalsWorld {
 public:
  // Starts both services; check ok() before use.
  AnnalsWorld() {
    catalog::CatalogServerOptions catalog_options;
    catalog_options.listen = "127.0.0.1:0";
    catalog_options.data_dir = dir_.Sub("catalog");
    auto catalog = catalog::CatalogServer::Start(catalog_options);
    if (!catalog.ok()) {
      ADD_FAILURE() << catalog.status();
      return;
    }
    catalog_ = *std::move(catalog);
    timeline::TimelineServerOptions timeline_options;
    timeline_options.listen = "127.0.0.1:0";
    timeline_options.catalog = catalog_address();
    timeline_options.initial_backoff = absl::Milliseconds(20);
    timeline_options.max_backoff = absl::Milliseconds(200);
    auto timeline = timeline::TimelineServer::Start(timeline_options);
    if (!timeline.ok()) {
      ADD_FAILURE() << timeline.status();
      return;
    }
    timeline_ = *std::move(timeline);
  }

  bool ok() const { return catalog_ != nullptr && timeline_ != nullptr; }
  std::string catalog_address() const {
    return "127.0.0.1:" + std::to_string(catalog_->port());
  }
  std::string timeline_address() const {
    return "127.0.0.1:" + std::to_string(timeline_->port());
  }
  catalog::CatalogServer& catalog() { return *catalog_; }
  timeline::TimelineServer& timeline() { return *timeline_; }

 private:
  TempDir dir_;
  std::unique_ptr<catalog::CatalogServer> catalog_;
  std::unique_ptr<timeline::TimelineServer> timeline_;
};

}  // namespace annals::testing

#endif  // ANNALS_TESTS_TESTING_ANNALS_WORLD_H_
