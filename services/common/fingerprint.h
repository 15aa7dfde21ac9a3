// A stable 64-bit fingerprint of bytes: the same input gives the same value
// on every machine and in every release, so it may be stored on disk.
// Not cryptographic.
#ifndef ANNALS_SERVICES_COMMON_FINGERPRINT_H_
#define ANNALS_SERVICES_COMMON_FINGERPRINT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace annals {

// FNV-1a over the bytes, finished with the SplitMix64 mixer so that nearby
// inputs spread over all 64 bits.
inline uint64_t Fingerprint64(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

// Appends `field` to `out` length-prefixed, so that concatenations of
// different field lists never collide ("ab"+"c" vs "a"+"bc").
inline void AppendField(std::string* out, absl::string_view field) {
  out->append(std::to_string(field.size()));
  out->push_back(':');
  out->append(field.data(), field.size());
}

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_FINGERPRINT_H_
