#include "services/common/config/flags.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/flags/reflection.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace annals::config {
namespace {

bool DefinedUnderServices(const absl::CommandLineFlag& flag) {
  return absl::StrContains(flag.Filename(), "services/");
}

std::optional<std::string> GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

FlagOptions WithDefaults(FlagOptions options) {
  if (!options.is_program_flag) options.is_program_flag = DefinedUnderServices;
  if (!options.getenv) options.getenv = GetEnv;
  return options;
}

// The program's flags, by name.
std::vector<absl::CommandLineFlag*> ProgramFlags(const FlagOptions& options) {
  std::vector<absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!flag->IsRetired() && options.is_program_flag(*flag)) {
      flags.push_back(flag);
    }
  }
  std::sort(flags.begin(), flags.end(),
            [](const absl::CommandLineFlag* a, const absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  return flags;
}

absl::CommandLineFlag* FindProgramFlag(
    const std::vector<absl::CommandLineFlag*>& flags, absl::string_view name) {
  for (absl::CommandLineFlag* flag : flags) {
    if (flag->Name() == name) return flag;
  }
  return nullptr;
}

absl::Status SetFlag(absl::CommandLineFlag* flag, absl::string_view value,
                     absl::string_view source) {
  std::string error;
  if (!flag->ParseFrom(value, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", error));
  }
  return absl::OkStatus();
}

bool IsHelp(absl::string_view arg) {
  return arg == "--help" || arg == "-help" || arg == "-h" ||
         arg == "--helpfull" || arg == "--helpshort";
}

}  // namespace

std::string EnvironmentVariable(absl::string_view flag_name) {
  return absl::StrCat("ANNALS_", absl::AsciiStrToUpper(flag_name));
}

absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       const FlagOptions& raw_options) {
  const FlagOptions options = WithDefaults(raw_options);
  const std::vector<absl::CommandLineFlag*> flags = ProgramFlags(options);
  ParsedFlags parsed;
  for (const std::string& arg : args) {
    if (IsHelp(arg)) parsed.help = true;
  }
  if (parsed.help) return parsed;

  // The environment first, so that the command line overrides it.
  for (absl::CommandLineFlag* flag : flags) {
    const std::string variable = EnvironmentVariable(flag->Name());
    std::optional<std::string> value = options.getenv(variable);
    if (!value.has_value() || value->empty()) continue;
    absl::Status status = SetFlag(flag, *value, variable);
    if (!status.ok()) return status;
  }

  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unexpected argument \"", args[i + 1], "\" (see --help)"));
      }
      break;
    }
    if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\" (see --help)"));
    }
    absl::string_view name = arg;
    std::optional<absl::string_view> value;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    absl::CommandLineFlag* flag = FindProgramFlag(flags, name);
    if (flag == nullptr && !value.has_value() && absl::StartsWith(name, "no")) {
      // --noname for a boolean.
      absl::CommandLineFlag* negated = FindProgramFlag(flags, name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) {
        absl::Status status =
            SetFlag(negated, "false", absl::StrCat("--", name));
        if (!status.ok()) return status;
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!value.has_value()) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value (see --help)"));
      }
    }
    absl::Status status = SetFlag(flag, *value, absl::StrCat("--", name));
    if (!status.ok()) return status;
  }
  return parsed;
}

std::string HelpText(const FlagOptions& raw_options) {
  const FlagOptions options = WithDefaults(raw_options);
  std::string text = options.usage;
  if (!text.empty() && text.back() != '\n') text += '\n';
  absl::StrAppend(
      &text,
      "\nFlags. Each can also be set by the environment variable shown; a "
      "flag on the\ncommand line wins over the environment, which wins over "
      "the default.\n");
  for (const absl::CommandLineFlag* flag : ProgramFlags(options)) {
    std::string default_value = flag->DefaultValue();
    if (flag->IsOfType<std::string>()) {
      default_value = absl::StrCat("\"", default_value, "\"");
    }
    absl::StrAppend(&text, "\n  --", flag->Name(), "  (env ",
                    EnvironmentVariable(flag->Name()),
                    "; default: ", default_value, ")\n");
    // Help text wrapped at 78 columns; its own line breaks are kept.
    for (absl::string_view paragraph : absl::StrSplit(flag->Help(), '\n')) {
      std::string line = "     ";
      for (absl::string_view word :
           absl::StrSplit(paragraph, ' ', absl::SkipEmpty())) {
        if (line.size() > 6 && line.size() + 1 + word.size() > 78) {
          absl::StrAppend(&text, line, "\n");
          line = "     ";
        }
        absl::StrAppend(&line, " ", word);
      }
      absl::StrAppend(&text, line, "\n");
    }
  }
  return text;
}

void ExitWithConfigError(absl::string_view program,
                         const absl::Status& status) {
  std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(program.size()),
               program.data(), static_cast<int>(status.message().size()),
               status.message().data());
  std::exit(kConfigErrorExit);
}

void ParseFlagsOrExit(int argc, char** argv, FlagOptions options) {
  std::string program = argc > 0 ? argv[0] : "annals";
  if (size_t slash = program.rfind('/'); slash != std::string::npos) {
    program = program.substr(slash + 1);
  }
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  absl::StatusOr<ParsedFlags> parsed = ParseFlags(args, options);
  if (!parsed.ok()) ExitWithConfigError(program, parsed.status());
  if (parsed->help) {
    std::string help = HelpText(options);
    std::fwrite(help.data(), 1, help.size(), stdout);
    std::exit(0);
  }
}

}  // namespace annals::config
