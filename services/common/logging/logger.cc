#include "services/common/logging/logger.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace annals::logging {
namespace {

// Text values are written bare when they are plain words; anything with
// spaces, quotes, '=' or control characters is quoted and escaped.
bool NeedsQuotes(absl::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || c == '"' || c == '=' || c == '\\' || u == 0x7f) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<Level> ParseLevel(absl::string_view text) {
  if (text == "debug") return Level::kDebug;
  if (text == "info") return Level::kInfo;
  if (text == "warn") return Level::kWarn;
  if (text == "error") return Level::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" is not a level: use debug, info, warn or "
                   "error"));
}

absl::StatusOr<Format> ParseFormat(absl::string_view text) {
  if (text == "text") return Format::kText;
  if (text == "json") return Format::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not a log format: use text or json"));
}

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

Field::Field(absl::string_view key, int64_t value)
    : key_(key), value_(absl::StrCat(value)), quoted_(false) {}

Field::Field(absl::string_view key, double value) : key_(key), quoted_(false) {
  // JSON has no NaN or infinities.
  value_ = std::isfinite(value) ? absl::StrFormat("%.6g", value) : "null";
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", u);
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

Logger::Logger(LoggerOptions options) : options_(std::move(options)) {
  if (!options_.sink) {
    options_.sink = [](absl::string_view line) {
      std::string text(line);
      text += '\n';
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
    };
  }
  if (!options_.clock) options_.clock = [] { return absl::Now(); };
}

std::shared_ptr<Logger> Logger::Discard() {
  LoggerOptions options;
  options.level = Level::kError;
  options.sink = [](absl::string_view) {};
  auto logger = std::make_shared<Logger>(std::move(options));
  logger->discard_ = true;
  return logger;
}

std::string Logger::Format(Level level, absl::string_view message,
                           absl::Span<const Field> fields) const {
  const std::string time = absl::FormatTime(
      "%Y-%m-%dT%H:%M:%E3SZ", options_.clock(), absl::UTCTimeZone());
  std::string line;
  if (options_.format == Format::kJson) {
    absl::StrAppend(&line, "{\"time\":\"", time, "\",\"level\":\"",
                    LevelName(level), "\"");
    if (!options_.service.empty()) {
      absl::StrAppend(&line, ",\"service\":", JsonQuote(options_.service));
    }
    absl::StrAppend(&line, ",\"msg\":", JsonQuote(message));
    for (const Field& field : fields) {
      absl::StrAppend(&line, ",", JsonQuote(field.key()), ":",
                      field.quoted() ? JsonQuote(field.value())
                                     : std::string(field.value()));
    }
    line += "}";
    return line;
  }
  std::string level_name(LevelName(level));
  absl::AsciiStrToUpper(&level_name);
  absl::StrAppend(&line, time, " ", level_name, " ");
  // The message is free text; keep it on one line.
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  for (const Field& field : fields) {
    absl::StrAppend(&line, " ", field.key(), "=",
                    field.quoted() && NeedsQuotes(field.value())
                        ? JsonQuote(field.value())
                        : std::string(field.value()));
  }
  return line;
}

void Logger::Log(Level level, absl::string_view message,
                 absl::Span<const Field> fields) const {
  if (discard_ || !Enabled(level)) return;
  std::string line = Format(level, message, fields);
  absl::MutexLock lock(&mu_);
  options_.sink(line);
}

}  // namespace annals::logging
