#include "services/common/status/errors.h"

#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace annals {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

template <typename Message>
std::string TypeUrl() {
  return absl::StrCat(kTypeUrlPrefix, Message::descriptor()->full_name());
}

template <typename Message>
void Attach(absl::Status& status, const Message& detail) {
  status.SetPayload(TypeUrl<Message>(), absl::Cord(detail.SerializeAsString()));
}

template <typename Message>
bool Extract(const absl::Status& status, Message& detail) {
  auto payload = status.GetPayload(TypeUrl<Message>());
  return payload.has_value() && detail.ParseFromString(std::string(*payload));
}

void AttachReason(absl::Status& status, absl::string_view reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  Attach(status, info);
}

void AttachResource(absl::Status& status, absl::string_view resource_name,
                    absl::string_view description) {
  google::rpc::ResourceInfo info;
  absl::string_view name = resource_name;
  if (size_t slash = name.find('/'); slash != absl::string_view::npos) {
    info.set_resource_type(std::string(name.substr(0, slash)));
  }
  info.set_resource_name(std::string(resource_name));
  info.set_description(std::string(description));
  Attach(status, info);
}

void AttachViolation(absl::Status& status, absl::string_view field,
                     absl::string_view description) {
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  Attach(status, bad_request);
}

}  // namespace

absl::Status InvalidArgumentError(absl::string_view field,
                                  absl::string_view reason) {
  absl::Status status =
      absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
  AttachViolation(status, field, reason);
  AttachReason(status, "INVALID_FIELD");
  return status;
}

absl::Status NotFoundError(absl::string_view resource_name,
                           absl::string_view field) {
  std::string message = absl::StrCat(resource_name, " does not exist");
  absl::Status status = absl::NotFoundError(
      field.empty() ? message : absl::StrCat(field, ": ", message));
  AttachResource(status, resource_name, message);
  if (!field.empty()) AttachViolation(status, field, message);
  AttachReason(status, "NOT_FOUND");
  return status;
}

absl::Status AlreadyExistsError(absl::string_view resource_name,
                                absl::string_view field) {
  std::string message = absl::StrCat(resource_name, " already exists");
  absl::Status status = absl::AlreadyExistsError(
      field.empty() ? message : absl::StrCat(field, ": ", message));
  AttachResource(status, resource_name, message);
  if (!field.empty()) AttachViolation(status, field, message);
  AttachReason(status, "ALREADY_EXISTS");
  return status;
}

absl::Status EtagMismatchError(absl::string_view resource_name,
                               absl::string_view given,
                               absl::string_view current) {
  // `given` comes from the caller: quote only the start of it.
  absl::Status status = absl::AbortedError(
      absl::StrCat("etag: ", resource_name, " has changed (given etag \"",
                   absl::CEscape(given.substr(0, 64)), "\", current etag \"",
                   current, "\"); read it again and retry"));
  AttachResource(status, resource_name, "etag mismatch");
  AttachReason(status, "ETAG_MISMATCH");
  return status;
}

absl::Status FailedPreconditionError(absl::string_view type,
                                     absl::string_view subject,
                                     absl::string_view description) {
  absl::Status status =
      absl::FailedPreconditionError(absl::StrCat(subject, ": ", description));
  google::rpc::PreconditionFailure failure;
  auto* violation = failure.add_violations();
  violation->set_type(std::string(type));
  violation->set_subject(std::string(subject));
  violation->set_description(std::string(description));
  Attach(status, failure);
  AttachReason(status, type);
  return status;
}

absl::Status PrefixFields(const absl::Status& status,
                          absl::string_view prefix) {
  if (status.ok() || prefix.empty()) return status;
  absl::Status prefixed(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload(
      [&prefixed](absl::string_view type_url, const absl::Cord& payload) {
        prefixed.SetPayload(type_url, payload);
      });
  google::rpc::BadRequest bad_request;
  if (Extract(status, bad_request)) {
    for (auto& violation : *bad_request.mutable_field_violations()) {
      violation.set_field(absl::StrCat(prefix, violation.field()));
    }
    Attach(prefixed, bad_request);
  }
  return prefixed;
}

absl::Status PrefixMessage(const absl::Status& status,
                           absl::string_view prefix) {
  if (status.ok() || prefix.empty()) return status;
  absl::Status prefixed(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload(
      [&prefixed](absl::string_view type_url, const absl::Cord& payload) {
        prefixed.SetPayload(type_url, payload);
      });
  return prefixed;
}

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> fields;
  google::rpc::BadRequest bad_request;
  if (Extract(status, bad_request)) {
    for (const auto& violation : bad_request.field_violations()) {
      fields.push_back(violation.field());
    }
  }
  return fields;
}

std::string ErrorReason(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  return Extract(status, info) ? info.reason() : std::string();
}

}  // namespace annals
