// Example: who commanded NATO Mission Iraq on a day, and since when.
//
//   who_commanded [DATE] [CATALOG] [TIMELINE]
//   who_commanded 2021-06-01 127.0.0.1:7401 127.0.0.1:7402
//
// Shows the client library's shape: one Session shared by a CatalogClient
// and a TimelineClient, StatusOr results, no exceptions.
#include <cstdio>
#include <memory>
#include <string>

#include "annals/catalog_client.h"
#include "annals/timeline_client.h"

int main(int argc, char** argv) {
  std::string day = argc > 1 ? argv[1] : "2021-06-01";
  std::string catalog_address = argc > 2 ? argv[2] : "127.0.0.1:7401";
  std::string timeline_address = argc > 3 ? argv[3] : "127.0.0.1:7402";

  auto session = std::make_shared<annals::Session>();
  annals::CatalogClient catalog =
      annals::CatalogClient::Connect(catalog_address, {}, session);
  annals::TimelineClient timeline =
      annals::TimelineClient::Connect(timeline_address, {}, session);

  annals::timeline::v1::GetSnapshotRequest request;
  request.set_entity("nmi");
  request.set_at(day);
  request.set_predicate("commander");
  auto snapshot = timeline.GetSnapshot(request);
  if (!snapshot.ok()) {
    std::fprintf(stderr, "snapshot: %s\n",
                 snapshot.status().ToString().c_str());
    return 1;
  }
  if (snapshot->statements().empty()) {
    std::printf("No commander of %s is on record for %s.\n",
                snapshot->entity().label().c_str(), day.c_str());
    return 0;
  }
  for (const auto& item : snapshot->statements()) {
    const auto& statement = item.statement();
    auto person = catalog.GetEntity(statement.object().entity());
    std::string name =
        person.ok() ? person->label() : statement.object().entity();
    bool definite = item.certainty() == annals::type::v1::CERTAINTY_DEFINITE;
    std::printf("%s %s %s on %s (tenure %s; %d source%s)\n", name.c_str(),
                definite ? "commanded" : "may have commanded",
                snapshot->entity().label().c_str(), day.c_str(),
                statement.valid_time().edtf().c_str(), statement.sources_size(),
                statement.sources_size() == 1 ? "" : "s");
  }
  return 0;
}
