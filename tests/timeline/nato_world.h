// The NATO-in-Iraq example data of docs/temporal-semantics.md as a catalog
// import: missions, the commanders of NATO Mission Iraq, an event and a
// source. Statement ids are fixed ("nmi-commander-olsen") so tests can name
// them.
#ifndef ANNALS_TESTS_TIMELINE_NATO_WORLD_H_
#define ANNALS_TESTS_TIMELINE_NATO_WORLD_H_

#include <string>
#include <utility>
#include <vector>

#include "annals/catalog/v1/catalog_service.pb.h"

namespace annals::testing {

struct NatoCommander {
  std::string id;  // entity id; the statement is "nmi-commander-<id>"
  std::string label;
  std::string tenure;  // EDTF
};

inline const std::vector<NatoCommander>& NatoCommanders() {
  static const auto* commanders = new std::vector<NatoCommander>{
      {"fortin", "Dany Fortin", "2018-11/2019-11"},
      {"carignan", "Jennie Carignan", "2019-11-26/2020-11-24"},
      {"olsen", "Per Olsen", "2020-11-24/2021-05-06"},
      {"lollesgaard", "Michael Lollesgaard", "2021-05-06/2022-05"},
      {"iannucci", "Giovanni Maria Iannucci", "2022-05/2023-05"},
      {"aguero", "José Antonio Agüero Martínez", "2023-05/2024-05-24"},
      {"schreurs", "Lucas Schreurs", "2024-05-24/.."},
  };
  return *commanders;
}

inline catalog::v1::ImportRecord NatoEntity(const std::string& id,
                                            const std::string& kind,
                                            const std::string& label,
                                            const std::string& lifespan = "") {
  catalog::v1::ImportRecord record;
  catalog::v1::Entity* entity = record.mutable_entity();
  entity->set_name("entities/" + id);
  entity->set_kind(kind);
  entity->set_label(label);
  if (!lifespan.empty()) entity->mutable_lifespan()->set_edtf(lifespan);
  return record;
}

inline catalog::v1::ImportRecord NatoStatement(const std::string& id,
                                               const std::string& subject,
                                               const std::string& predicate,
                                               const std::string& object,
                                               const std::string& valid_time) {
  catalog::v1::ImportRecord record;
  catalog::v1::Statement* statement = record.mutable_statement();
  statement->set_name("statements/" + id);
  statement->set_subject("entities/" + subject);
  statement->set_predicate(predicate);
  statement->mutable_object()->set_entity("entities/" + object);
  statement->mutable_valid_time()->set_edtf(valid_time);
  catalog::v1::SourceCitation* source = statement->add_sources();
  source->set_source("entities/nato-fact-sheet");
  source->set_locator("Commanders");
  return record;
}

// One import batch with the whole world.
inline catalog::v1::ImportRecordsRequest NatoImport() {
  catalog::v1::ImportRecordsRequest request;
  *request.add_records() =
      NatoEntity("nato-fact-sheet", "source", "NATO Mission Iraq fact sheet");
  *request.add_records() = NatoEntity(
      "ntm-i", "mission", "NATO Training Mission - Iraq", "2004/2011-12-31");
  *request.add_records() =
      NatoEntity("nmi", "mission", "NATO Mission Iraq", "2018-10/..");
  *request.add_records() =
      NatoEntity("nmi-launch", "event", "NMI launched", "2018-07");
  for (const NatoCommander& commander : NatoCommanders()) {
    *request.add_records() =
        NatoEntity(commander.id, "person", commander.label);
    *request.add_records() =
        NatoStatement("nmi-commander-" + commander.id, "nmi", "commander",
                      commander.id, commander.tenure);
  }
  return request;
}

}  // namespace annals::testing

#endif  // ANNALS_TESTS_TIMELINE_NATO_WORLD_H_
