#include "services/catalog/feed_slots.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace annals::catalog {

std::string PeerAddress(absl::string_view peer) {
  const bool ipv4 = absl::ConsumePrefix(&peer, "ipv4:");
  const bool ipv6 = !ipv4 && absl::ConsumePrefix(&peer, "ipv6:");
  if (!ipv4 && !ipv6) return std::string(peer);
  // Both end in ":PORT".
  if (const size_t colon = peer.rfind(':'); colon != absl::string_view::npos) {
    peer = peer.substr(0, colon);
  }
  if (ipv4) return std::string(peer);
  std::string address = absl::StrReplaceAll(peer, {{"%5B", ""},
                                                   {"%5D", ""},
                                                   {"%5b", ""},
                                                   {"%5d", ""},
                                                   {"[", ""},
                                                   {"]", ""}});
  // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; count them
  // with the same clients reaching an IPv4 listener.
  absl::string_view mapped = address;
  if (absl::ConsumePrefix(&mapped, "::ffff:") &&
      mapped.find(':') == absl::string_view::npos) {
    return std::string(mapped);
  }
  return address;
}

FeedSlots::FeedSlots(FeedSlotLimits limits, bool tokens)
    : limits_(limits),
      anonymous_limit_(
          tokens && limits.max_streams > 0 && limits.reserved_streams > 0
              ? std::max(0, limits.max_streams - limits.reserved_streams)
              : -1) {}

absl::StatusOr<FeedSlots::Ticket> FeedSlots::Acquire(absl::string_view peer,
                                                     bool authenticated) {
  Ticket ticket{PeerAddress(peer), authenticated};
  absl::MutexLock lock(&mu_);
  if (!authenticated) {
    if (limits_.max_streams_per_peer > 0) {
      auto it = per_address_.find(ticket.address);
      if (it != per_address_.end() &&
          it->second >= limits_.max_streams_per_peer) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "too many change-feed streams from ", ticket.address,
            " (--max_streams_per_peer=", limits_.max_streams_per_peer,
            "); close some or try later"));
      }
    }
    if (anonymous_limit_ >= 0 && anonymous_ >= anonymous_limit_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the change-feed streams open to callers without the bearer token "
          "are taken (--max_streams=",
          limits_.max_streams,
          " less --reserved_streams=", limits_.reserved_streams,
          " kept for callers presenting it); ", "try later"));
    }
  }
  if (limits_.max_streams > 0 && open_ >= limits_.max_streams) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many change-feed streams (--max_streams=", limits_.max_streams,
        "); try later"));
  }
  ++open_;
  if (!authenticated) {
    ++anonymous_;
    ++per_address_[ticket.address];
  }
  return ticket;
}

void FeedSlots::Release(const Ticket& ticket) {
  absl::MutexLock lock(&mu_);
  --open_;
  if (ticket.authenticated) return;
  --anonymous_;
  auto it = per_address_.find(ticket.address);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
}

int FeedSlots::open() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

}  // namespace annals::catalog
