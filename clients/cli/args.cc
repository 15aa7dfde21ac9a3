#include "clients/cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace annals::cli {
namespace {

// Edit distance of two short words (flag names).
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "unknown flag --form; did you mean --from?" for the first argument of
// `argv` that is neither a known flag nor a flag's value.
std::string UnknownFlagMessage(const std::vector<std::string>& argv,
                               const std::set<std::string>& flags,
                               const std::set<std::string>& switches,
                               const std::map<std::string, char>& shorts) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    const bool has_value = name.find('=') != std::string::npos;
    name = name.substr(0, name.find('='));
    if (arg[1] != '-') {
      // A short flag: known if some flag has it.
      bool known = std::any_of(shorts.begin(), shorts.end(), [&](auto& s) {
        return !name.empty() && s.second == name[0];
      });
      if (known) {
        if (name.size() == 1 && !has_value) ++i;
        continue;
      }
    } else if (flags.contains(name)) {
      if (!has_value) ++i;  // its value
      continue;
    } else if (switches.contains(name)) {
      continue;
    }
    std::string nearest;
    size_t best = 3;  // suggest only what a typo could explain
    for (const std::set<std::string>* names : {&flags, &switches}) {
      for (const std::string& known : *names) {
        const size_t d = Distance(name, known);
        if (d < best ||
            (d <= best && absl::StartsWith(known, name) && nearest.empty())) {
          best = d;
          nearest = known;
        }
      }
    }
    std::string message =
        absl::StrCat("unknown flag ", arg.substr(0, arg.find('=')));
    if (!nearest.empty())
      absl::StrAppend(&message, "; did you mean --", nearest, "?");
    return absl::StrCat(message, " (see --help)");
  }
  return "";
}

}  // namespace

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::set<std::string>& flags,
                                 const std::set<std::string>& switches,
                                 const std::map<std::string, char>& shorts) {
  // Everything after "--" is positional; CLI11 gets what comes before.
  auto end = std::find(argv.begin(), argv.end(), "--");
  std::vector<std::string> before(argv.begin(), end);

  CLI::App app;
  app.set_help_flag();  // --help is a switch of ours
  app.allow_windows_style_options(false);
  Args args;
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, std::vector<std::string>> switch_values;
  for (const std::string& name : flags) {
    std::string names = absl::StrCat("--", name);
    if (auto it = shorts.find(name); it != shorts.end()) {
      names = absl::StrCat("-", std::string(1, it->second), ",", names);
    }
    // One value per occurrence: "--kind a b" leaves b positional.
    app.add_option(names, values[name])->allow_extra_args(false);
  }
  for (const std::string& name : switches) {
    app.add_flag(absl::StrCat("--", name), switch_values[name]);
  }
  app.add_option("positionals", args.positionals_);
  std::reverse(before.begin(), before.end());  // CLI11 reads from the back
  try {
    app.parse(before);
  } catch (const CLI::ExtrasError&) {
    std::string message = UnknownFlagMessage(argv, flags, switches, shorts);
    return absl::InvalidArgumentError(
        message.empty() ? "unexpected arguments (see --help)" : message);
  } catch (const CLI::ParseError& e) {
    // CLI11 names the flag: "--kind: 1 required TEXT missing".
    std::string message = e.what();
    if (absl::StrContains(message, "required") &&
        absl::StrContains(message, "missing")) {
      message =
          absl::StrCat(message.substr(0, message.find(':')), " needs a value");
    }
    return absl::InvalidArgumentError(message);
  }
  for (auto& [name, list] : values) {
    if (!list.empty()) args.values_[name] = std::move(list);
  }
  for (auto& [name, list] : switch_values) {
    if (list.empty()) continue;
    for (const std::string& value : list) {
      if (value != "true" && value != "false") {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " takes no value (or =true/=false)"));
      }
    }
    // The last one wins: "--json=false" turns it off.
    if (list.back() == "true") args.values_[name] = {"true"};
  }
  if (end != argv.end()) {
    args.positionals_.insert(args.positionals_.end(), end + 1, argv.end());
  }
  return args;
}

std::string Args::Get(const std::string& name,
                      const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<int64_t> Args::GetInt(const std::string& name,
                                     int64_t fallback) const {
  if (!Has(name)) return fallback;
  int64_t value;
  if (!absl::SimpleAtoi(Get(name), &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " must be a whole number, not \"", Get(name), "\""));
  }
  return value;
}

}  // namespace annals::cli
