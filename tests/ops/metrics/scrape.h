// Test helpers for the metrics endpoint: a minimal HTTP/1.1 GET over a
// loopback socket (independent of the server's HTTP library), and a strict
// reader of the Prometheus text format 0.0.4 that checks what the tests rely
// on: HELP and TYPE before each family, families contiguous and unique,
// histogram buckets cumulative and consistent with _count.
#ifndef ANNALS_TESTS_OPS_METRICS_SCRAPE_H_
#define ANNALS_TESTS_OPS_METRICS_SCRAPE_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace annals::testing {

struct HttpResponse {
  int status = 0;
  // Header names lower-cased.
  std::map<std::string, std::string> headers;
  std::string body;
};

// Sends `method` `path` to 127.0.0.1:`port` with Connection: close and
// reads the whole response (5 s socket timeouts).
inline absl::StatusOr<HttpResponse> HttpRequest(int port,
                                                const std::string& method,
                                                const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket");
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("connect to port ", port));
  }
  const bool with_body = method != "GET" && method != "HEAD";
  std::string request =
      absl::StrCat(method, " ", path,
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                   with_body ? "Content-Length: 0\r\n" : "", "\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("send");
  }
  std::string raw;
  char buffer[8192];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0) {
      close(fd);
      return absl::DeadlineExceededError("recv");
    }
    if (n == 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  close(fd);

  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) {
    return absl::DataLossError(absl::StrCat("no header end in: ", raw));
  }
  std::vector<std::string> lines =
      absl::StrSplit(absl::string_view(raw).substr(0, end), "\r\n");
  HttpResponse response;
  std::vector<std::string> status_line = absl::StrSplit(lines[0], ' ');
  if (status_line.size() < 2 || !absl::StartsWith(status_line[0], "HTTP/1.") ||
      !absl::SimpleAtoi(status_line[1], &response.status)) {
    return absl::DataLossError(absl::StrCat("bad status line: ", lines[0]));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    std::string name = lines[i].substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    response.headers[name] = std::string(absl::StripAsciiWhitespace(
        absl::string_view(lines[i]).substr(colon + 1)));
  }
  response.body = raw.substr(end + 4);
  auto length = response.headers.find("content-length");
  if (length != response.headers.end() && method != "HEAD") {
    size_t expected = 0;
    if (!absl::SimpleAtoi(length->second, &expected) ||
        expected != response.body.size()) {
      return absl::DataLossError("body shorter than Content-Length");
    }
  }
  return response;
}

inline absl::StatusOr<HttpResponse> HttpGet(int port, const std::string& path) {
  return HttpRequest(port, "GET", path);
}

// A parsed exposition: series ("name" or "name{a=\"x\",b=\"y\"}", exactly as
// rendered) to value, and each family's type and help.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;

  bool Has(const std::string& series) const {
    return samples.count(series) != 0;
  }
  // The value of `series`, or NaN when absent.
  double Value(const std::string& series) const {
    auto it = samples.find(series);
    return it == samples.end() ? std::nan("") : it->second;
  }
  // The sum over every series of family `name` whose labels contain each of
  // `label_parts` (e.g. "grpc_method=\"GetEntity\"").
  double Sum(const std::string& name,
             const std::vector<std::string>& label_parts = {}) const {
    double total = 0;
    for (const auto& [series, value] : samples) {
      if (series != name && !absl::StartsWith(series, name + "{")) continue;
      bool all = true;
      for (const std::string& part : label_parts) {
        all = all && absl::StrContains(series, part);
      }
      if (all) total += value;
    }
    return total;
  }
};

namespace internal {
// Splits `name{labels}` into the name and the label pairs, checking the
// quoting. Returns false if malformed.
inline bool SplitSeries(
    absl::string_view series, std::string* name,
    std::vector<std::pair<std::string, std::string>>* labels) {
  size_t brace = series.find('{');
  *name = std::string(series.substr(0, brace));
  if (brace == absl::string_view::npos) return true;
  if (series.back() != '}') return false;
  absl::string_view rest = series.substr(brace + 1, series.size() - brace - 2);
  while (!rest.empty()) {
    size_t equals = rest.find("=\"");
    if (equals == absl::string_view::npos) return false;
    std::string label(rest.substr(0, equals));
    rest.remove_prefix(equals + 2);
    std::string value;
    size_t i = 0;
    for (; i < rest.size() && rest[i] != '"'; ++i) {
      if (rest[i] == '\\') {
        if (++i >= rest.size()) return false;
        char c = rest[i];
        if (c == 'n') {
          value += '\n';
        } else if (c == '\\' || c == '"') {
          value += c;
        } else {
          return false;
        }
      } else {
        value += rest[i];
      }
    }
    if (i >= rest.size()) return false;
    rest.remove_prefix(i + 1);
    labels->emplace_back(label, value);
    if (!rest.empty()) {
      if (rest[0] != ',') return false;
      rest.remove_prefix(1);
    }
  }
  return true;
}

inline bool ParseValue(absl::string_view text, double* value) {
  if (text == "+Inf") {
    *value = INFINITY;
    return true;
  }
  if (text == "-Inf") {
    *value = -INFINITY;
    return true;
  }
  if (text == "NaN") {
    *value = std::nan("");
    return true;
  }
  return absl::SimpleAtod(text, value);
}
}  // namespace internal

// Parses and checks `text`; any violation of the format is an error naming
// the line.
inline absl::StatusOr<Exposition> ParseExposition(const std::string& text) {
  Exposition out;
  if (!text.empty() && text.back() != '\n') {
    return absl::DataLossError("does not end with a newline");
  }
  std::string family;       // the family of the last TYPE line
  std::string family_type;  // its type
  std::set<std::string> finished;
  // Histogram checks: per (family, labels without le): (le, count) in order.
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;
  std::map<std::string, double> counts;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    auto fail = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat(why, ": ", line));
    };
    if (absl::ConsumePrefix(&line, "# HELP ")) {
      size_t space = line.find(' ');
      std::string name(line.substr(0, space));
      if (finished.count(name) || out.helps.count(name)) {
        return fail("family repeated");
      }
      if (!family.empty()) finished.insert(family);
      family.clear();
      out.helps[name] = space == absl::string_view::npos
                            ? ""
                            : std::string(line.substr(space + 1));
      continue;
    }
    if (absl::ConsumePrefix(&line, "# TYPE ")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      if (parts.size() != 2) return fail("malformed TYPE");
      if (!out.helps.count(parts[0])) return fail("TYPE without HELP");
      if (out.types.count(parts[0])) return fail("TYPE repeated");
      static const std::set<std::string> kTypes = {
          "counter", "gauge", "histogram", "summary", "untyped"};
      if (!kTypes.count(parts[1])) return fail("unknown type");
      family = parts[0];
      family_type = parts[1];
      out.types[family] = family_type;
      continue;
    }
    if (absl::StartsWith(line, "#")) continue;
    size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) return fail("no value");
    std::string series(line.substr(0, space));
    double value = 0;
    if (!internal::ParseValue(line.substr(space + 1), &value)) {
      return fail("bad value");
    }
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    if (!internal::SplitSeries(series, &name, &labels)) {
      return fail("bad labels");
    }
    if (family.empty()) return fail("sample outside a family");
    bool belongs = name == family;
    if (family_type == "histogram") {
      belongs = name == family + "_bucket" || name == family + "_sum" ||
                name == family + "_count";
    }
    if (!belongs) return fail(absl::StrCat("sample not of family ", family));
    if (out.samples.count(series)) return fail("series repeated");
    out.samples[series] = value;

    if (family_type == "histogram") {
      std::string key = family;
      double le = NAN;
      for (const auto& [label, label_value] : labels) {
        if (label == "le") {
          if (!internal::ParseValue(label_value, &le)) return fail("bad le");
        } else {
          absl::StrAppend(&key, ",", label, "=", label_value);
        }
      }
      if (name == family + "_bucket") {
        if (std::isnan(le)) return fail("bucket without le");
        buckets[key].emplace_back(le, value);
      } else if (name == family + "_count") {
        counts[key] = value;
      }
    }
  }
  for (const auto& [key, series] : buckets) {
    for (size_t i = 1; i < series.size(); ++i) {
      if (!(series[i].first > series[i - 1].first)) {
        return absl::DataLossError(absl::StrCat(key, ": le not increasing"));
      }
      if (series[i].second < series[i - 1].second) {
        return absl::DataLossError(
            absl::StrCat(key, ": buckets not cumulative"));
      }
    }
    if (series.empty() || !std::isinf(series.back().first)) {
      return absl::DataLossError(absl::StrCat(key, ": no +Inf bucket"));
    }
    auto count = counts.find(key);
    if (count == counts.end() || count->second != series.back().second) {
      return absl::DataLossError(
          absl::StrCat(key, ": +Inf bucket differs from _count"));
    }
  }
  return out;
}

// Scrapes /metrics on `port` and parses it.
inline absl::StatusOr<Exposition> Scrape(int port) {
  absl::StatusOr<HttpResponse> response = HttpGet(port, "/metrics");
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("HTTP ", response->status, ": ", response->body));
  }
  return ParseExposition(response->body);
}

}  // namespace annals::testing

#endif  // ANNALS_TESTS_OPS_METRICS_SCRAPE_H_
