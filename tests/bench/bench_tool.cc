#include "tests/bench/bench_tool.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace annals::bench {

ToolFlags::ToolFlags(std::string program, std::string summary,
                     std::vector<Flag> flags)
    : program_(std::move(program)),
      summary_(std::move(summary)),
      flags_(std::move(flags)) {}

const ToolFlags::Flag* ToolFlags::Find(absl::string_view name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

void ToolFlags::UsageError(absl::string_view message) const {
  std::fprintf(stderr, "%s: %s\n", program_.c_str(),
               std::string(message).c_str());
  std::exit(kUsageExit);
}

void ToolFlags::ParseOrExit(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      std::string help = absl::StrCat(summary_, "\n\nFlags:\n");
      for (const Flag& flag : flags_) {
        absl::StrAppend(
            &help, "  --", flag.name,
            flag.required ? "  (required)"
            : flag.default_value.empty()
                ? "  (optional)"
                : absl::StrCat("  (default: ", flag.default_value, ")"),
            "\n      ", flag.help, "\n");
      }
      std::fputs(help.c_str(), stdout);
      std::exit(0);
    }
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--")) {
      UsageError(absl::StrCat("unexpected argument \"", arg,
                              "\"; flags are --name=value (see --help)"));
    }
    const size_t eq = arg.find('=');
    if (eq == absl::string_view::npos) {
      UsageError(absl::StrCat("--", arg, " needs a value: --", arg,
                              "=VALUE (see --help)"));
    }
    const absl::string_view name = arg.substr(0, eq);
    if (Find(name) == nullptr) {
      UsageError(absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!given_.emplace(std::string(name), std::string(arg.substr(eq + 1)))
             .second) {
      UsageError(absl::StrCat("--", name, " is given twice"));
    }
  }
  for (const Flag& flag : flags_) {
    if (flag.required && !Given(flag.name)) {
      UsageError(absl::StrCat("--", flag.name, " is required (see --help)"));
    }
  }
}

bool ToolFlags::Given(absl::string_view name) const {
  return given_.find(name) != given_.end();
}

std::string ToolFlags::String(absl::string_view name) const {
  auto it = given_.find(name);
  if (it != given_.end()) return it->second;
  const Flag* flag = Find(name);
  return flag != nullptr ? flag->default_value : "";
}

int64_t ToolFlags::Int(absl::string_view name, int64_t min, int64_t max) const {
  const std::string text = String(name);
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    UsageError(absl::StrCat("--", name, "=", text, ": must be an integer in ",
                            min, "..", max));
  }
  return value;
}

double ToolFlags::Double(absl::string_view name, double min, double max) const {
  const std::string text = String(name);
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || value < min ||
      value > max) {
    UsageError(absl::StrCat("--", name, "=", text, ": must be a number in ",
                            min, "..", max));
  }
  return value;
}

bool ToolFlags::Bool(absl::string_view name) const {
  const std::string text = String(name);
  if (text == "true") return true;
  if (text == "false") return false;
  UsageError(absl::StrCat("--", name, "=", text, ": must be true or false"));
}

std::string ToolFlags::Address(absl::string_view name) const {
  const std::string text = String(name);
  if (text.empty() && !Find(name)->required) return "";
  if (absl::StartsWith(text, "unix:") && text.size() > 5) return text;
  const size_t colon = text.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    UsageError(absl::StrCat("--", name, "=", text,
                            ": must be HOST:PORT with a port in 1-65535, "
                            "or unix:PATH"));
  }
  return text;
}

void RunFailed(absl::string_view program, absl::string_view message) {
  std::fprintf(stderr, "%s: %s\n", std::string(program).c_str(),
               std::string(message).c_str());
  std::exit(kRunFailedExit);
}

void JsonLine::Key(absl::string_view key) {
  if (!body_.empty()) body_ += ",";
  absl::StrAppend(&body_, "\"", key, "\":");
}

JsonLine& JsonLine::Int(absl::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(&body_, value);
  return *this;
}

JsonLine& JsonLine::Number(absl::string_view key, double value, int decimals) {
  Key(key);
  if (!std::isfinite(value)) {
    body_ += "null";
  } else {
    absl::StrAppend(&body_, absl::StrFormat("%.*f", decimals, value));
  }
  return *this;
}

JsonLine& JsonLine::Text(absl::string_view key, absl::string_view value) {
  Key(key);
  body_ += "\"";
  for (char c : value) {
    switch (c) {
      case '"':
        body_ += "\\\"";
        break;
      case '\\':
        body_ += "\\\\";
        break;
      case '\n':
        body_ += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&body_, absl::StrFormat("\\u%04x", c));
        } else {
          body_ += c;
        }
    }
  }
  body_ += "\"";
  return *this;
}

JsonLine& JsonLine::Bool(absl::string_view key, bool value) {
  Key(key);
  body_ += value ? "true" : "false";
  return *this;
}

std::string JsonLine::str() const { return absl::StrCat("{", body_, "}"); }

Latency Summarize(std::vector<int64_t>& nanos) {
  Latency latency;
  if (nanos.empty()) return latency;
  std::sort(nanos.begin(), nanos.end());
  const auto at = [&](double q) {
    // Nearest rank: the smallest sample with at least q of them at or below.
    const size_t rank =
        static_cast<size_t>(std::ceil(q * static_cast<double>(nanos.size())));
    return static_cast<double>(nanos[std::max<size_t>(rank, 1) - 1]) / 1e3;
  };
  double sum = 0;
  for (int64_t n : nanos) sum += static_cast<double>(n);
  latency.count = static_cast<int64_t>(nanos.size());
  latency.mean_us = sum / static_cast<double>(nanos.size()) / 1e3;
  latency.p50_us = at(0.50);
  latency.p90_us = at(0.90);
  latency.p99_us = at(0.99);
  latency.p999_us = at(0.999);
  latency.max_us = static_cast<double>(nanos.back()) / 1e3;
  return latency;
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address, int id) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("annals.bench.channel", id);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

std::shared_ptr<grpc::Channel> ConnectedChannel(const std::string& address,
                                                int id) {
  std::shared_ptr<grpc::Channel> channel = OwnChannel(address, id);
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10));
  return channel;
}

absl::Status AwaitServing(const std::string& address,
                          const std::string& service, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(OwnChannel(address, -1));
  const absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (true) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    const grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    last = status.ok()
               ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                     response.status())
               : absl::StrCat("error ", status.error_code(), ": ",
                              status.error_message());
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(address, " did not report ", service, " SERVING within ",
                   absl::FormatDuration(timeout), " (last: ", last, ")"));
}

absl::StatusOr<int64_t> CatalogHead(const std::string& catalog_address,
                                    absl::Duration timeout) {
  auto stub =
      catalog::v1::CatalogService::NewStub(OwnChannel(catalog_address, -2));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  catalog::v1::WatchChangesRequest request;
  // Far past the head, so that the feed sends its header and then waits
  // rather than streaming the backlog.
  request.set_after_sequence(int64_t{1} << 62);
  std::unique_ptr<grpc::ClientReader<catalog::v1::WatchChangesResponse>>
      reader = stub->WatchChanges(&context, request);
  catalog::v1::WatchChangesResponse first;
  if (reader->Read(&first)) {
    context.TryCancel();
    catalog::v1::WatchChangesResponse rest;
    while (reader->Read(&rest)) {
    }
    reader->Finish().ok();  // CANCELLED, as asked
    return first.head_sequence();
  }
  const grpc::Status status = reader->Finish();
  return absl::UnavailableError(
      absl::StrCat("catalog ", catalog_address,
                   " sent no change-feed header: ", status.error_message()));
}

absl::StatusOr<int64_t> AwaitTimelineSequence(const std::string& address,
                                              int64_t sequence,
                                              absl::Duration timeout) {
  auto stub = timeline::v1::TimelineService::NewStub(OwnChannel(address, -3));
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (true) {
    timeline::v1::RelateRequest request;
    request.mutable_a()->set_edtf("2000");
    request.mutable_b()->set_edtf("2001");
    request.set_min_sequence(sequence);
    timeline::v1::RelateResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(
        std::min(deadline, absl::Now() + absl::Seconds(30))));
    const grpc::Status status = stub->Relate(&context, request, &response);
    if (status.ok()) return response.sequence();
    last = status.error_message();
    if (absl::Now() >= deadline) break;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
        status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::UnknownError(
          absl::StrCat("timeline ", address, ": ", status.error_message()));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "timeline ", address, " did not reach catalog sequence ", sequence,
      " within ", absl::FormatDuration(timeout), " (last: ", last, ")"));
}

}  // namespace annals::bench
