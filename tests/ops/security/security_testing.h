// Shared pieces of the security tests: throwaway certificates made with
// openssl at test time (make_test_pki.sh), files, a log sink, and a catalog
// and timeline started in process with given security settings.
#ifndef ANNALS_TESTS_OPS_SECURITY_SECURITY_TESTING_H_
#define ANNALS_TESTS_OPS_SECURITY_SECURITY_TESTING_H_

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "annals/options.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/common/logging/logger.h"
#include "services/timeline/server.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A CA, a server certificate for localhost and 127.0.0.1, a client
// certificate from the same CA, and an unrelated CA with a client
// certificate of its own, in a temporary folder.
class TestPki {
 public:
  TestPki() {
    const std::string command =
        std::string("sh '") + ANNALS_MAKE_TEST_PKI + "' '" + dir_.path() + "'";
    ok_ = std::system(command.c_str()) == 0 &&
          !ReadFile(Path("other-client.pem")).empty();
  }

  // Whether openssl made every file.
  bool ok() const { return ok_; }
  std::string Path(const std::string& name) const { return dir_.Sub(name); }
  std::string Pem(const std::string& name) const {
    return ReadFile(Path(name));
  }

  // Server TLS with the test CA's server certificate; `mutual` requires
  // client certificates from the test CA.
  security::ServerTls ServerTls(bool mutual = false) const {
    security::ServerTls tls;
    tls.cert_pem = Pem("server.pem");
    tls.key_pem = Pem("server.key");
    if (mutual) tls.client_ca_pem = Pem("ca.pem");
    return tls;
  }

  // Client TLS trusting `ca` ("ca" or "other-ca"), with the client
  // certificate `client` ("client", "other-client", or "" for none).
  TlsOptions ClientTls(const std::string& ca = "ca",
                       const std::string& client = "") const {
    TlsOptions tls;
    tls.ca_pem = Pem(ca + ".pem");
    if (!client.empty()) {
      tls.cert_pem = Pem(client + ".pem");
      tls.key_pem = Pem(client + ".key");
    }
    return tls;
  }

 private:
  TempDir dir_;
  bool ok_ = false;
};

// Collects log lines; a LoggerOptions sink for tests.
class LogCapture {
 public:
  std::shared_ptr<logging::Logger> MakeLogger(
      logging::Level level = logging::Level::kDebug,
      logging::Format format = logging::Format::kText) {
    logging::LoggerOptions options;
    options.level = level;
    options.format = format;
    options.service = "test";
    options.sink = [this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    };
    return std::make_shared<logging::Logger>(std::move(options));
  }

  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  std::string text() const { return absl::StrJoin(lines(), "\n"); }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

// A catalog on 127.0.0.1, port 0, in its own temporary folder.
inline std::unique_ptr<catalog::CatalogServer> StartCatalog(
    const TempDir& dir, catalog::CatalogServerOptions options = {}) {
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("catalog");
  options.sync_writes = false;
  auto server = catalog::CatalogServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

// A timeline on 127.0.0.1, port 0, with a quick reconnect backoff.
inline std::unique_ptr<timeline::TimelineServer> StartTimeline(
    timeline::TimelineServerOptions options) {
  options.listen = "127.0.0.1:0";
  options.initial_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(200);
  auto server = timeline::TimelineServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

inline std::string LocalAddress(int port) {
  return "127.0.0.1:" + std::to_string(port);
}

// Client options that fail fast: one attempt, a short deadline.
inline ClientOptions QuickOptions() {
  ClientOptions options;
  options.max_attempts = 1;
  options.timeout = absl::Seconds(5);
  return options;
}

}  // namespace annals::testing

#endif  // ANNALS_TESTS_OPS_SECURITY_SECURITY_TESTING_H_
