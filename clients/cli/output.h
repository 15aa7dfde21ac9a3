// Output helpers shared by the `annals` commands.
#ifndef ANNALS_CLIENTS_CLI_OUTPUT_H_
#define ANNALS_CLIENTS_CLI_OUTPUT_H_

#include <string>

#include "google/protobuf/message.h"

namespace annals::cli {

// `message` in protobuf's JSON mapping (lowerCamelCase names), one line,
// with every field: zeros, empty strings and empty lists included.
std::string Json(const google::protobuf::Message& message);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_OUTPUT_H_
