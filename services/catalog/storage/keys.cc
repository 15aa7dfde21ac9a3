#include "services/catalog/storage/keys.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace annals::catalog::keys {
namespace {

constexpr char kSep = '\0';

std::string Join(char tag, std::initializer_list<absl::string_view> parts) {
  std::string key(1, tag);
  for (absl::string_view part : parts) {
    key.push_back(kSep);
    key.append(part.data(), part.size());
  }
  return key;
}

}  // namespace

std::string EncodeSequence(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return key;
}

std::optional<uint64_t> DecodeSequence(absl::string_view key) {
  if (key.size() != 8) return std::nullopt;
  uint64_t sequence = 0;
  for (char c : key) sequence = (sequence << 8) | static_cast<uint8_t>(c);
  return sequence;
}

std::string NormalizeName(absl::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool pending_space = false;
  for (char c : name) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string KindKey(absl::string_view kind, absl::string_view entity_id) {
  return Join('k', {kind, entity_id});
}
std::string KindPrefix(absl::string_view kind) {
  return absl::StrCat(Join('k', {kind}), absl::string_view("\0", 1));
}
std::string NameKey(absl::string_view normalized_name,
                    absl::string_view entity_id) {
  return Join('a', {normalized_name, entity_id});
}
std::string NamePrefix(absl::string_view normalized_name) {
  return absl::StrCat(Join('a', {normalized_name}), absl::string_view("\0", 1));
}
std::string SubjectKey(absl::string_view subject, absl::string_view predicate,
                       absl::string_view statement_id) {
  return Join('s', {subject, predicate, statement_id});
}
std::string SubjectPrefix(absl::string_view subject,
                          absl::string_view predicate) {
  std::string prefix = Join('s', {subject});
  prefix.push_back(kSep);
  if (!predicate.empty())
    absl::StrAppend(&prefix, predicate, absl::string_view("\0", 1));
  return prefix;
}
std::string ObjectKey(absl::string_view object, absl::string_view predicate,
                      absl::string_view statement_id) {
  return Join('o', {object, predicate, statement_id});
}
std::string ObjectPrefix(absl::string_view object,
                         absl::string_view predicate) {
  std::string prefix = Join('o', {object});
  prefix.push_back(kSep);
  if (!predicate.empty())
    absl::StrAppend(&prefix, predicate, absl::string_view("\0", 1));
  return prefix;
}
std::string PredicateKey(absl::string_view predicate,
                         absl::string_view statement_id) {
  return Join('p', {predicate, statement_id});
}
std::string PredicatePrefix(absl::string_view predicate) {
  return absl::StrCat(Join('p', {predicate}), absl::string_view("\0", 1));
}

absl::string_view IndexTarget(absl::string_view index_key) {
  size_t sep = index_key.rfind(kSep);
  return sep == absl::string_view::npos ? index_key : index_key.substr(sep + 1);
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace annals::catalog::keys
