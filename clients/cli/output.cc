#include "clients/cli/output.h"

#include "google/protobuf/util/json_util.h"

namespace annals::cli {

std::string Json(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  // Every field, zeros and empty lists included: a script never has to
  // guess whether a missing count means 0.
  options.always_print_primitive_fields = true;
  // A valid message always converts; on the impossible failure the output
  // is simply empty.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace annals::cli
