// Fuzzes the catalog's storage key codec (services/catalog/storage/keys.h).
//
// The whole input is decoded as a stored key would be (DecodeSequence,
// IndexTarget, PrefixEnd, NormalizeName) and must not crash. Split at NUL
// bytes, it also gives key components (which never hold a NUL, as
// validation guarantees), and every index key built from them must decode
// back to its target, sort inside its prefixes and outside other subjects'.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/catalog/storage/keys.h"
#include "tests/fuzz/fuzz_check.h"

namespace keys = annals::catalog::keys;

namespace {

// `key` starts with `prefix` and sorts before PrefixEnd(prefix).
void CheckInPrefix(absl::string_view key, absl::string_view prefix) {
  FUZZ_CHECK(absl::StartsWith(key, prefix));
  const std::string end = keys::PrefixEnd(prefix);
  FUZZ_CHECK(end.empty() || key < end);
}

void CheckPrefixEnd(absl::string_view prefix) {
  const std::string end = keys::PrefixEnd(prefix);
  if (end.empty()) {
    // No key bounds the prefix from above only when it is all 0xff.
    FUZZ_CHECK(std::all_of(prefix.begin(), prefix.end(),
                           [](char c) { return c == '\xff'; }));
    return;
  }
  FUZZ_CHECK(prefix < end);
  FUZZ_CHECK(!absl::StartsWith(end, prefix));
  // The longest possible extension of `prefix` still sorts before `end`.
  FUZZ_CHECK(absl::StrCat(prefix, std::string(16, '\xff')) < end);
}

void CheckNormalizeName(absl::string_view name) {
  const std::string normalized = keys::NormalizeName(name);
  FUZZ_CHECK(keys::NormalizeName(normalized) == normalized);
  FUZZ_CHECK(normalized.size() <= name.size());
  if (normalized.empty()) return;
  FUZZ_CHECK(!absl::ascii_isspace(static_cast<unsigned char>(normalized[0])));
  FUZZ_CHECK(!absl::ascii_isspace(
      static_cast<unsigned char>(normalized[normalized.size() - 1])));
  FUZZ_CHECK(normalized.find("  ") == std::string::npos);
  FUZZ_CHECK(std::none_of(normalized.begin(), normalized.end(), [](char c) {
    return absl::ascii_isupper(static_cast<unsigned char>(c));
  }));
}

void CheckSequences(absl::string_view bytes) {
  const std::optional<uint64_t> decoded = keys::DecodeSequence(bytes);
  FUZZ_CHECK(decoded.has_value() == (bytes.size() == 8));
  if (decoded.has_value()) FUZZ_CHECK(keys::EncodeSequence(*decoded) == bytes);
  if (bytes.size() < 16) return;
  uint64_t a;
  uint64_t b;
  std::memcpy(&a, bytes.data(), 8);
  std::memcpy(&b, bytes.data() + 8, 8);
  const std::string ka = keys::EncodeSequence(a);
  const std::string kb = keys::EncodeSequence(b);
  FUZZ_CHECK(ka.size() == 8);
  FUZZ_CHECK(keys::DecodeSequence(ka) == a);
  // Byte order is numeric order.
  FUZZ_CHECK((a < b) == (ka < kb));
  FUZZ_CHECK((a == b) == (ka == kb));
}

void CheckIndexKeys(absl::string_view first, absl::string_view second,
                    absl::string_view third) {
  const std::string subject_key = keys::SubjectKey(first, second, third);
  FUZZ_CHECK(keys::IndexTarget(subject_key) == third);
  CheckInPrefix(subject_key, keys::SubjectPrefix(first, second));
  CheckInPrefix(subject_key, keys::SubjectPrefix(first, ""));
  // Another subject's prefix never covers this key, even when one subject
  // is a prefix of the other.
  FUZZ_CHECK(!absl::StartsWith(
      keys::SubjectKey(absl::StrCat(first, "x"), second, third),
      keys::SubjectPrefix(first, "")));
  if (!second.empty()) {
    FUZZ_CHECK(!absl::StartsWith(
        keys::SubjectKey(first, absl::StrCat(second, "x"), third),
        keys::SubjectPrefix(first, second)));
  }

  const std::string object_key = keys::ObjectKey(first, second, third);
  FUZZ_CHECK(keys::IndexTarget(object_key) == third);
  CheckInPrefix(object_key, keys::ObjectPrefix(first, second));
  CheckInPrefix(object_key, keys::ObjectPrefix(first, ""));
  FUZZ_CHECK(object_key != subject_key);

  const std::string predicate_key = keys::PredicateKey(first, second);
  FUZZ_CHECK(keys::IndexTarget(predicate_key) == second);
  CheckInPrefix(predicate_key, keys::PredicatePrefix(first));

  const std::string kind_key = keys::KindKey(first, second);
  FUZZ_CHECK(keys::IndexTarget(kind_key) == second);
  CheckInPrefix(kind_key, keys::KindPrefix(first));
  FUZZ_CHECK(!absl::StartsWith(keys::KindKey(absl::StrCat(first, "x"), second),
                               keys::KindPrefix(first)));

  const std::string name_key = keys::NameKey(first, second);
  FUZZ_CHECK(keys::IndexTarget(name_key) == second);
  CheckInPrefix(name_key, keys::NamePrefix(first));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Arbitrary stored bytes.
  const absl::string_view target = keys::IndexTarget(bytes);
  FUZZ_CHECK(absl::EndsWith(bytes, target));
  FUZZ_CHECK(target.find('\0') == absl::string_view::npos);
  CheckPrefixEnd(bytes);
  CheckNormalizeName(bytes);
  CheckSequences(bytes);

  // Components, as validation would admit them: no NUL.
  std::vector<absl::string_view> parts = absl::StrSplit(bytes, '\0');
  parts.resize(std::max<size_t>(parts.size(), 3));
  CheckIndexKeys(parts[0], parts[1], parts[2]);
  return 0;
}
