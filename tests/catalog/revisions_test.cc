// RequestFingerprint: stable across versions, blind to the request id only.
#include "services/catalog/revisions.h"

#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/common/fingerprint.h"

namespace annals::catalog {
namespace {

// How fingerprints were taken before ADR 14, and are stored in request
// records: a copy with the id cleared, serialized deterministically.
std::string FingerprintOfACopy(absl::string_view method,
                               const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* field = copy->GetDescriptor()->FindFieldByName("request_id");
  if (field != nullptr) copy->GetReflection()->ClearField(copy.get(), field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  std::string canonical;
  AppendField(&canonical, method);
  AppendField(&canonical, bytes);
  return absl::StrFormat("%016x", Fingerprint64(canonical));
}

v1::ImportRecordsRequest Batch() {
  v1::ImportRecordsRequest batch;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        records {
          entity { name: "e1" kind: "person" label: "One" aliases: "Uno" }
        }
        records {
          statement {
            subject: "e1"
            predicate: "rank"
            object { integer: 3 }
            valid_time { edtf: "2020/2021" }
            sources { source: "s" locator: "p. 4" }
            qualifiers { key: "b" value: "2" }
            qualifiers { key: "a" value: "1" }
            qualifiers { key: "c" value: "3" }
          }
        }
        request_id: "batch-7"
        error_mode: IMPORT_ERROR_MODE_KEEP_GOING
        validate_only: true
      )pb",
      &batch));
  // A field this version does not know, after the known ones.
  batch.GetReflection()->MutableUnknownFields(&batch)->AddVarint(99, 5);
  return batch;
}

TEST(RequestFingerprintTest, EqualsTheFingerprintOfACopyWithoutTheId) {
  const v1::ImportRecordsRequest batch = Batch();
  EXPECT_EQ(RequestFingerprint("ImportRecords", batch),
            FingerprintOfACopy("ImportRecords", batch));
  v1::CreateEntityRequest create;
  create.set_entity_id("x");
  create.mutable_entity()->set_kind("person");
  create.set_request_id("r");
  EXPECT_EQ(RequestFingerprint("CreateEntity", create),
            FingerprintOfACopy("CreateEntity", create));
  v1::ImportRecordsRequest no_id = batch;
  no_id.clear_request_id();
  EXPECT_EQ(RequestFingerprint("ImportRecords", no_id),
            FingerprintOfACopy("ImportRecords", no_id));
}

TEST(RequestFingerprintTest, IgnoresTheIdAndNothingElse) {
  const v1::ImportRecordsRequest batch = Batch();
  const std::string fingerprint = RequestFingerprint("ImportRecords", batch);
  v1::ImportRecordsRequest other_id = batch;
  other_id.set_request_id("batch-8");
  EXPECT_EQ(RequestFingerprint("ImportRecords", other_id), fingerprint);
  v1::ImportRecordsRequest changed = batch;
  changed.mutable_records(1)
      ->mutable_statement()
      ->mutable_object()
      ->set_integer(4);
  EXPECT_NE(RequestFingerprint("ImportRecords", changed), fingerprint);
  v1::ImportRecordsRequest mode = batch;
  mode.set_validate_only(false);
  EXPECT_NE(RequestFingerprint("ImportRecords", mode), fingerprint);
  EXPECT_NE(RequestFingerprint("CreateEntity", batch), fingerprint);
}

}  // namespace
}  // namespace annals::catalog
