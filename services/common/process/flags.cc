#include "services/common/process/flags.h"

#include <utility>

#include "services/common/config/flags.h"

namespace annals {

std::vector<char*> ParseServiceFlags(int argc, char** argv,
                                     const char* message) {
  config::FlagOptions options;
  options.usage = message;
  config::ParseFlagsOrExit(argc, argv, std::move(options));
  return std::vector<char*>(argv, argv + (argc > 0 ? 1 : 0));
}

}  // namespace annals
