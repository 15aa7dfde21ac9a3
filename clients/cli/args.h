// Command-line arguments of the `annals` tool: positionals and --flags.
#ifndef ANNALS_CLIENTS_CLI_ARGS_H_
#define ANNALS_CLIENTS_CLI_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace annals::cli {

// Parsed arguments, read by CLI11 (ADR 10). Flags are "--name=value",
// "--name value", or for a name with a short form also "-n value", "-nvalue";
// switches are a bare "--name" (or "--name=true" / "--name=false"). A flag
// may repeat. "--" ends flags: everything after it is positional.
class Args {
 public:
  // Fails with INVALID_ARGUMENT on a malformed or unknown flag; an unknown
  // one is named with the nearest known flag ("unknown flag --form; did you
  // mean --from?"). `short_names` gives flags a one-letter form.
  static absl::StatusOr<Args> Parse(
      const std::vector<std::string>& argv, const std::set<std::string>& flags,
      const std::set<std::string>& switches,
      const std::map<std::string, char>& short_names = {});

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool Has(const std::string& name) const { return values_.contains(name); }
  // The last value of --name, or `fallback`.
  std::string Get(const std::string& name,
                  const std::string& fallback = "") const;
  // Every value of a repeated --name, in order.
  std::vector<std::string> GetAll(const std::string& name) const;
  // --name as an integer; INVALID_ARGUMENT if it is not one.
  absl::StatusOr<int64_t> GetInt(const std::string& name,
                                 int64_t fallback) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_ARGS_H_
