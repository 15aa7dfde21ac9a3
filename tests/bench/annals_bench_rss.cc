// annals_bench_rss: the resident memory of a process, from /proc/PID/status.
//
//   annals_bench_rss --pid=1234
//   {"pid":1234,"vm_rss_bytes":52428800,"vm_hwm_bytes":60817408}
//
// VmRSS is the resident set now, VmHWM its peak. tests/bench/run reads the
// timeline's before and after loading N statements: bytes per indexed
// statement = (RSS after catch-up - RSS when empty) / N.
//
// Exit status: 0; 1 if the process does not exist or its status cannot be
// read; 2 for bad flags.
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/bench/bench_tool.h"

namespace annals::bench {
namespace {

constexpr char kProgram[] = "annals_bench_rss";

// The value of a "Name:   1234 kB" line, in bytes; -1 if absent.
int64_t KilobyteField(const std::string& status, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, ":")) {
      continue;
    }
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, "kB")) return -1;
    int64_t kilobytes = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kilobytes)) {
      return -1;
    }
    return kilobytes * 1024;
  }
  return -1;
}

int Main(int argc, char** argv) {
  ToolFlags flags(kProgram,
                  "annals_bench_rss: prints a process's VmRSS and VmHWM in "
                  "bytes as one JSON line.\n\n  annals_bench_rss --pid=PID",
                  {{"pid", "", "The process to inspect.", true}});
  flags.ParseOrExit(argc, argv);
  const int64_t pid = flags.Int("pid", 1, 4194304);
  const std::string path = absl::StrCat("/proc/", pid, "/status");
  std::ifstream file(path);
  if (!file) RunFailed(kProgram, absl::StrCat("no process ", pid));
  const std::string status((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
  const int64_t rss = KilobyteField(status, "VmRSS");
  const int64_t hwm = KilobyteField(status, "VmHWM");
  if (rss < 0 || hwm < 0) {
    RunFailed(kProgram, absl::StrCat(path,
                                     " has no VmRSS/VmHWM (a kernel "
                                     "thread or a zombie?)"));
  }
  JsonLine json;
  json.Int("pid", pid).Int("vm_rss_bytes", rss).Int("vm_hwm_bytes", hwm);
  std::printf("%s\n", json.str().c_str());
  return 0;
}

}  // namespace
}  // namespace annals::bench

int main(int argc, char** argv) { return annals::bench::Main(argc, argv); }
