// Every `annals` command line written in README.md and docs/*.md, run
// exactly as written (after the program path) against a real catalog and
// timeline holding the NATO data: a user who copies one must not meet a
// usage error or a failure.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/temp_dir.h"

namespace annals::cli {
namespace {

struct Documented {
  std::string where;  // FILE:LINE
  std::vector<std::string> argv;
};

// Splits a shell command line into words; handles '…' and "…" quoting,
// which is all the documents use.
std::vector<std::string> Words(absl::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word.push_back(c);
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// The `build/clients/cli/annals …` commands of the fenced shell blocks of
// `path` (a line may hold several, joined by &&; a trailing # comment is
// not part of the command).
std::vector<Documented> CommandsIn(const std::filesystem::path& path,
                                   const std::string& name) {
  std::vector<Documented> found;
  std::ifstream file(path);
  std::string line;
  int number = 0;
  bool in_block = false;
  while (std::getline(file, line)) {
    ++number;
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "```")) {
      in_block = !in_block;
      continue;
    }
    if (!in_block) continue;
    std::string text = line.substr(0, line.find(" #"));
    for (absl::string_view part : absl::StrSplit(text, "&&")) {
      part = absl::StripAsciiWhitespace(part);
      if (!absl::ConsumePrefix(&part, "build/clients/cli/annals ")) continue;
      found.push_back({absl::StrCat(name, ":", number), Words(part)});
    }
  }
  return found;
}

std::vector<Documented> AllDocumentedCommands() {
  const std::filesystem::path root(ANNALS_SOURCE_DIR);
  std::vector<Documented> all = CommandsIn(root / "README.md", "README.md");
  for (const auto& entry : std::filesystem::directory_iterator(root / "docs")) {
    if (entry.path().extension() != ".md") continue;
    std::vector<Documented> more =
        CommandsIn(entry.path(), "docs/" + entry.path().filename().string());
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

TEST(DocumentedCommandsTest, EveryCommandInTheDocsRunsAsWritten) {
  testing::AnnalsWorld world;
  ASSERT_TRUE(world.ok());
  testing::TempDir dir;
  // "my-data/" in the README stands for the user's own folder: here, a copy
  // of the NATO data.
  std::filesystem::copy(ANNALS_DATA_DIR, dir.Sub("my-data"));
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  std::filesystem::create_symlink(
      std::filesystem::path(ANNALS_SOURCE_DIR) / "data", dir.Sub("data"));

  auto run = [&](std::vector<std::string> argv, std::string* out_text,
                 std::string* err_text) {
    std::vector<std::string> full = {"--catalog=" + world.catalog_address(),
                                     "--timeline=" + world.timeline_address()};
    full.insert(full.end(), argv.begin(), argv.end());
    std::ostringstream out, err;
    const int status = cli::Run(full, out, err, Environment{});
    *out_text = out.str();
    *err_text = err.str();
    return status;
  };
  std::string out, err;
  ASSERT_EQ(run({"import", ANNALS_DATA_DIR}, &out, &err), 0) << err;
  const std::string sequence = out.substr(out.rfind("catalog sequence ") + 17);

  std::vector<Documented> commands = AllDocumentedCommands();
  // The README's own quick start alone has more than ten.
  ASSERT_GE(commands.size(), 10u);
  for (const Documented& command : commands) {
    std::vector<std::string> argv = command.argv;
    argv.insert(argv.begin(), "--min-sequence=" + std::string(sequence));
    EXPECT_EQ(run(argv, &out, &err), 0)
        << command.where << ": annals " << absl::StrJoin(command.argv, " ")
        << "\n"
        << err;
    EXPECT_THAT(err, ::testing::Not(::testing::HasSubstr("usage")))
        << command.where;
  }
  std::filesystem::current_path(previous);
}

}  // namespace
}  // namespace annals::cli
