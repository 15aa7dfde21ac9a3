// Logger: one line per event, as text or JSON lines, on stderr by default.
//
// We use this small logger rather than spdlog: events are structured
// (key/value fields, numbers kept as JSON numbers), JSON values are always
// escaped correctly, and tests capture events through a sink function
// without any global state. Secrets never reach a logger: callers log file
// names, never tokens or key contents (tests/ops/security checks this).
//
//   auto logger = std::make_shared<Logger>(LoggerOptions{
//       .level = Level::kInfo, .format = Format::kJson,
//       .service = "annals-catalog"});
//   logger->Info("serving", {{"listen", "127.0.0.1:7401"}, {"port", 7401}});
//
// Text:  2024-05-01T10:00:00.123Z INFO serving listen=127.0.0.1:7401 port=7401
// JSON:  {"time":"2024-05-01T10:00:00.123Z","level":"info",
//         "service":"annals-catalog","msg":"serving",
//         "listen":"127.0.0.1:7401","port":7401}
//
// Thread safety: a Logger may be used from any number of threads; each event
// reaches the sink whole, and events do not interleave.
#ifndef ANNALS_SERVICES_COMMON_LOGGING_LOGGER_H_
#define ANNALS_SERVICES_COMMON_LOGGING_LOGGER_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace annals::logging {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// "debug", "info", "warn" or "error"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Level> ParseLevel(absl::string_view text);
// "text" or "json"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view text);
absl::string_view LevelName(Level level);

// One key and value of an event. Integers, doubles and booleans are written
// as JSON numbers and booleans; everything else as a string.
class Field {
 public:
  Field(absl::string_view key, absl::string_view value)
      : key_(key), value_(value), quoted_(true) {}
  Field(absl::string_view key, const std::string& value)
      : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, const char* value)
      : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, int value) : Field(key, int64_t{value}) {}
  Field(absl::string_view key, int64_t value);
  Field(absl::string_view key, double value);
  Field(absl::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), quoted_(false) {}

  absl::string_view key() const { return key_; }
  absl::string_view value() const { return value_; }
  // Whether the value is a string (as opposed to a number or boolean).
  bool quoted() const { return quoted_; }

 private:
  std::string key_;
  std::string value_;
  bool quoted_;
};

struct LoggerOptions {
  // Events below this level are dropped. Default: info.
  Level level = Level::kInfo;
  // Default: text.
  Format format = Format::kText;
  // Added to every event as "service" when not empty. Default: none.
  std::string service;
  // Receives each formatted event, without a trailing newline, one call at a
  // time. Default: writes the line and a newline to stderr.
  std::function<void(absl::string_view line)> sink;
  // Event times. Default: the system clock.
  std::function<absl::Time()> clock;
};

class Logger {
 public:
  explicit Logger(LoggerOptions options = {});

  // A logger that drops every event.
  static std::shared_ptr<Logger> Discard();

  bool Enabled(Level level) const { return level >= options_.level; }

  // Formats and writes the event if `level` is enabled.
  void Log(Level level, absl::string_view message,
           std::initializer_list<Field> fields = {}) const {
    Log(level, message, absl::MakeConstSpan(fields.begin(), fields.size()));
  }
  void Log(Level level, absl::string_view message,
           absl::Span<const Field> fields) const;
  void Debug(absl::string_view message,
             std::initializer_list<Field> fields = {}) const {
    Log(Level::kDebug, message, fields);
  }
  void Info(absl::string_view message,
            std::initializer_list<Field> fields = {}) const {
    Log(Level::kInfo, message, fields);
  }
  void Warn(absl::string_view message,
            std::initializer_list<Field> fields = {}) const {
    Log(Level::kWarn, message, fields);
  }
  void Error(absl::string_view message,
             std::initializer_list<Field> fields = {}) const {
    Log(Level::kError, message, fields);
  }

  // The line Log() would write, without a newline (tests, tools).
  std::string Format(Level level, absl::string_view message,
                     absl::Span<const Field> fields) const;

 private:
  LoggerOptions options_;
  bool discard_ = false;
  mutable absl::Mutex mu_;  // serializes sink calls
};

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace annals::logging

#endif  // ANNALS_SERVICES_COMMON_LOGGING_LOGGER_H_
