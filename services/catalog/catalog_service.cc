#include "services/catalog/catalog_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/arena.h"
#include "services/catalog/import.h"
#include "services/catalog/validation.h"
#include "services/common/security/reject.h"
#include "services/common/status/errors.h"
#include "services/common/status/grpc_status.h"

namespace annals::catalog {
namespace {

// A change-feed message carries at most this many changes or bytes.
constexpr int kMaxChangesPerMessage = 512;
constexpr size_t kMaxBytesPerMessage = 1 << 20;

template <typename Response>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                 absl::StatusOr<Response> result,
                                 Response* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

// Applies each streamed batch as it arrives (ImportStream); stops at the
// first failure. Batches arrive serialized and are parsed here (see
// CatalogService).
class ImportReactor final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  ImportReactor(Catalog* catalog, grpc::ByteBuffer* response)
      : stream_(catalog), response_(response) {
    StartRead(&buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client has sent everything (or went away)
      const std::string bytes = stream_.Summary().SerializeAsString();
      grpc::Slice slice(bytes);
      *response_ = grpc::ByteBuffer(&slice, 1);
      Finish(grpc::Status::OK);
      return;
    }
    std::string bytes;
    std::vector<grpc::Slice> slices;
    if (buffer_.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()),
                     slice.size());
      }
    }
    buffer_.Clear();
    // A batch is thousands of small messages and strings; on an arena they
    // are allocated in a few blocks and freed at once.
    google::protobuf::ArenaOptions arena_options;
    arena_options.start_block_size = 64 << 10;
    arena_options.max_block_size = 1 << 20;
    google::protobuf::Arena arena(arena_options);
    v1::ImportRecordsRequest& request =
        *google::protobuf::Arena::CreateMessage<v1::ImportRecordsRequest>(
            &arena);
    if (!request.ParseFromString(bytes)) {
      const std::string field =
          FindInvalidUtf8(*v1::ImportRecordsRequest::descriptor(), bytes);
      Finish(ToGrpcStatus(stream_.BatchError(
          field.empty()
              ? absl::InvalidArgumentError(
                    "is not a valid annals.catalog.v1.ImportRecordsRequest")
              : InvalidArgumentError(field, "is not valid UTF-8"))));
      return;
    }
    if (absl::Status s = stream_.Add(request); !s.ok()) {
      Finish(ToGrpcStatus(s));
      return;
    }
    StartRead(&buffer_);
  }

  void OnDone() override { delete this; }

 private:
  ImportStream stream_;
  grpc::ByteBuffer* const response_;
  grpc::ByteBuffer buffer_;
};

// Streams the change log from a sequence, then follows live commits.
//
// At most one write is in flight. When the reader reaches the head it asks
// the catalog's notifier to call back on the next commit. Every gRPC
// operation (StartWrite, Finish) is the last thing a method does, because
// after it another thread may run OnDone and delete the reactor.
class WatchReactor final
    : public grpc::ServerWriteReactor<v1::WatchChangesResponse> {
 public:
  // Holds `ticket`, a slot of `slots`, until done.
  WatchReactor(Catalog* catalog, int64_t after_sequence, FeedSlots* slots,
               FeedSlots::Ticket ticket)
      : catalog_(catalog),
        slots_(slots),
        ticket_(std::move(ticket)),
        next_after_(after_sequence) {
    // The first message reports the catalog's identity and head, so a
    // follower knows how far it has to catch up.
    response_.set_head_sequence(catalog_->head_sequence());
    response_.set_catalog_id(catalog_->catalog_id());
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    // Clear() would keep the changes' memory for reuse: a stream waiting at
    // the head would hold on to its largest message (up to about 1 MiB)
    // for as long as it stays open.
    v1::WatchChangesResponse().Swap(&response_);
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed"));
      return;
    }
    Pump();
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      if (waiting_.has_value() && catalog_->notifier().Cancel(*waiting_)) {
        waiting_.reset();
        finish = true;
      }
    }
    // Otherwise a write is in flight (OnWriteDone(false) follows) or the
    // notifier is already calling Pump().
    if (finish) Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    slots_->Release(ticket_);
    delete this;
  }

 private:
  // Sends the next batch of changes, or waits for one. Called with no write
  // in flight.
  void Pump() {
    absl::StatusOr<std::vector<v1::Change>> changes;
    bool cancelled;
    {
      absl::MutexLock lock(&mu_);
      waiting_.reset();
      cancelled = cancelled_;
      if (cancelled) {
        // Fall through to Finish below, outside the lock.
      } else {
        while (true) {
          changes = catalog_->ReadChanges(next_after_, kMaxChangesPerMessage,
                                          kMaxBytesPerMessage);
          if (!changes.ok() || !changes->empty()) break;
          if (catalog_->notifier().closed()) {
            // Everything committed has been sent; the catalog is stopping.
            changes = absl::UnavailableError(
                "the catalog is shutting down; reconnect with after_sequence "
                "set to the last sequence received");
            break;
          }
          waiting_ =
              catalog_->notifier().NotifyAfter(next_after_, [this] { Pump(); });
          if (waiting_.has_value()) return;  // Pump() runs on the next commit
          // A commit landed between the read and the wait: read again.
        }
        if (changes.ok()) {
          for (v1::Change& change : *changes) {
            *response_.add_changes() = std::move(change);
          }
          next_after_ = response_.changes().rbegin()->sequence();
          response_.set_head_sequence(catalog_->head_sequence());
          response_.set_catalog_id(catalog_->catalog_id());
        }
      }
    }
    if (cancelled) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    } else if (!changes.ok()) {
      Finish(ToGrpcStatus(changes.status()));
    } else {
      StartWrite(&response_);
    }
  }

  Catalog* const catalog_;
  FeedSlots* const slots_;
  const FeedSlots::Ticket ticket_;
  absl::Mutex mu_;
  int64_t next_after_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> waiting_ ABSL_GUARDED_BY(mu_);
  v1::WatchChangesResponse response_;
};

}  // namespace

grpc::ServerUnaryReactor* CatalogService::CreateEntity(
    grpc::CallbackServerContext* context,
    const v1::CreateEntityRequest* request, v1::Entity* response) {
  return Answer(context, catalog_->CreateEntity(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::GetEntity(
    grpc::CallbackServerContext* context, const v1::GetEntityRequest* request,
    v1::Entity* response) {
  return Answer(context, catalog_->GetEntity(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::ListEntities(
    grpc::CallbackServerContext* context,
    const v1::ListEntitiesRequest* request,
    v1::ListEntitiesResponse* response) {
  return Answer(context, catalog_->ListEntities(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::UpdateEntity(
    grpc::CallbackServerContext* context,
    const v1::UpdateEntityRequest* request, v1::Entity* response) {
  return Answer(context, catalog_->UpdateEntity(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::DeleteEntity(
    grpc::CallbackServerContext* context,
    const v1::DeleteEntityRequest* request, v1::Entity* response) {
  return Answer(context, catalog_->DeleteEntity(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::CreateStatement(
    grpc::CallbackServerContext* context,
    const v1::CreateStatementRequest* request, v1::Statement* response) {
  return Answer(context, catalog_->CreateStatement(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::GetStatement(
    grpc::CallbackServerContext* context,
    const v1::GetStatementRequest* request, v1::Statement* response) {
  return Answer(context, catalog_->GetStatement(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::ListStatements(
    grpc::CallbackServerContext* context,
    const v1::ListStatementsRequest* request,
    v1::ListStatementsResponse* response) {
  return Answer(context, catalog_->ListStatements(*request), response);
}

grpc::ServerUnaryReactor* CatalogService::RetractStatement(
    grpc::CallbackServerContext* context,
    const v1::RetractStatementRequest* request, v1::Statement* response) {
  return Answer(context, catalog_->RetractStatement(*request), response);
}

grpc::ServerReadReactor<grpc::ByteBuffer>* CatalogService::ImportRecords(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* response) {
  return new ImportReactor(catalog_, response);
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>*
CatalogService::WatchChanges(grpc::CallbackServerContext* context,
                             const v1::WatchChangesRequest* request) {
  return Watch(context, request, /*authenticated=*/false);
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* CatalogService::Watch(
    grpc::CallbackServerContext* context,
    const v1::WatchChangesRequest* request, bool authenticated) {
  if (request->after_sequence() < 0) {
    class Rejected final
        : public grpc::ServerWriteReactor<v1::WatchChangesResponse> {
     public:
      Rejected() {
        Finish(ToGrpcStatus(
            InvalidArgumentError("after_sequence", "must not be negative")));
      }
      void OnDone() override { delete this; }
    };
    return new Rejected();
  }
  absl::StatusOr<FeedSlots::Ticket> ticket =
      slots_.Acquire(context->peer(), authenticated);
  if (!ticket.ok()) {
    return security::RejectWriter<v1::WatchChangesResponse>(ticket.status());
  }
  return new WatchReactor(catalog_, request->after_sequence(), &slots_,
                          *std::move(ticket));
}

}  // namespace annals::catalog
