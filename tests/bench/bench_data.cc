#include "tests/bench/bench_data.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "services/common/temporal/extent.h"

namespace annals::bench {
namespace {

using temporal::Day;

// Streams of Random, so that a statement's fields, its retraction and the
// query parameters never share numbers.
constexpr uint64_t kStatementStream = 1;
constexpr uint64_t kRetractionStream = 2;

// Retracted: 20 in 1000.
constexpr int64_t kRetractedPerMille = 20;

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string YearText(Day day) {
  return absl::StrFormat("%04d", temporal::CivilFromDay(day).year());
}

std::string MonthText(Day day) {
  const absl::CivilDay civil = temporal::CivilFromDay(day);
  return absl::StrFormat("%04d-%02d", civil.year(), civil.month());
}

// The first day of the month after `day`'s month.
Day NextMonth(Day day) {
  const absl::CivilMonth month(temporal::CivilFromDay(day));
  return temporal::DayFromCivil(absl::CivilDay(month + 1));
}

Day NextYear(Day day) {
  const absl::CivilYear year(temporal::CivilFromDay(day));
  return temporal::DayFromCivil(absl::CivilDay(year + 1));
}

// A valid time drawn from `random`; see the mix in bench_data.h.
std::string ValidTime(Random& random) {
  const Day first = QueryDayMin();
  const Day last = QueryDayMax();
  const Day start = first + static_cast<Day>(random.Uniform(last - first + 1));
  // Tenure-like lengths, skewed short: 30 days to 15 years, median ~4 years.
  const double u = random.Unit();
  Day end = start + 30 + static_cast<Day>(u * u * 15 * 365);
  // The written end (the last day) stays within the range too.
  end = std::min(end, last);
  const int kind = static_cast<int>(random.Uniform(100));
  const bool single = random.Uniform(10) == 0;
  if (kind < 60 || end <= start) {  // day precision
    if (single || end <= start) return temporal::FormatDay(start);
    return absl::StrCat(temporal::FormatDay(start), "/",
                        temporal::FormatDay(end));
  }
  if (kind < 85) {  // month precision
    if (single || NextMonth(start) > last) return MonthText(start);
    return absl::StrCat(MonthText(start), "/",
                        MonthText(std::max(end, NextMonth(start))));
  }
  if (kind < 95) {  // year precision
    if (single || NextYear(start) > last) return YearText(start);
    return absl::StrCat(YearText(start), "/",
                        YearText(std::max(end, NextYear(start))));
  }
  if (kind < 98) return absl::StrCat(temporal::FormatDay(start), "/..");
  return absl::StrCat("/", temporal::FormatDay(end));
}

catalog::v1::Value Object(int predicate, Random& random) {
  static const char* const kRoles[] = {"analyst", "commander", "director",
                                       "officer", "adviser",   "envoy",
                                       "chair",   "deputy"};
  static const char* const kRanks[] = {"private",    "corporal", "sergeant",
                                       "lieutenant", "captain",  "major",
                                       "colonel",    "general"};
  static const char* const kStatuses[] = {"active", "reserve", "suspended",
                                          "seconded"};
  catalog::v1::Value value;
  switch (predicate) {
    case 0:
      value.set_text(absl::StrCat("Organization ", random.Uniform(1000)));
      break;
    case 1:
      value.set_text(kRoles[random.Uniform(8)]);
      break;
    case 2:
      value.set_text(absl::StrCat("City ", random.Uniform(500)));
      break;
    case 3:
      value.set_text(kRanks[random.Uniform(8)]);
      break;
    case 4:
      value.set_text(kStatuses[random.Uniform(4)]);
      break;
    case 5:
      value.set_integer(1 + random.Uniform(5000));
      break;
    case 6: {
      catalog::v1::Quantity* quantity = value.mutable_quantity();
      const int64_t tenths = 1 + random.Uniform(20000);
      quantity->set_amount(absl::StrCat(tenths / 10, ".", tenths % 10));
      quantity->set_unit("EUR_million");
      break;
    }
    default:
      value.set_text(absl::StrCat("Title ", random.Uniform(2000)));
      break;
  }
  return value;
}

}  // namespace

Day QueryDayMin() { return *temporal::ParseDay(kQueryDayMinText); }
Day QueryDayMax() { return *temporal::ParseDay(kQueryDayMaxText); }

const std::vector<std::string>& Predicates() {
  static const std::vector<std::string>* predicates =
      new std::vector<std::string>{"member_of", "role",     "located_in",
                                   "rank",      "status",   "headcount",
                                   "budget",    "job_title"};
  return *predicates;
}

std::string SubjectName(int64_t i) { return absl::StrCat("entities/e", i); }
std::string SourceName(int k) { return absl::StrCat("entities/source-", k); }
std::string StatementName(int64_t j) { return absl::StrCat("statements/s", j); }

int64_t SubjectCount(int64_t statements) {
  return std::max<int64_t>(1, statements / 10);
}

Random::Random(uint64_t seed, uint64_t stream)
    : state_(Mix(seed) ^ Mix(stream * 0x632be59bd9b4e019ULL)) {}

uint64_t Random::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t Random::Uniform(int64_t n) {
  // Lemire's multiply-shift: deterministic, with a bias below n / 2^64.
  return static_cast<int64_t>(
      (static_cast<unsigned __int128>(Next()) * static_cast<uint64_t>(n)) >>
      64);
}

double Random::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

Dataset::Dataset(int64_t statements, uint64_t seed)
    : statements_(statements),
      subjects_(SubjectCount(statements)),
      seed_(seed) {}

std::vector<catalog::v1::Entity> Dataset::Entities() const {
  std::vector<catalog::v1::Entity> entities;
  entities.reserve(kSourceCount + subjects_);
  for (int k = 0; k < kSourceCount; ++k) {
    catalog::v1::Entity& source = entities.emplace_back();
    source.set_name(SourceName(k));
    source.set_kind("source");
    source.set_label(absl::StrCat("Benchmark source ", k));
  }
  for (int64_t i = 0; i < subjects_; ++i) {
    catalog::v1::Entity& subject = entities.emplace_back();
    subject.set_name(SubjectName(i));
    const bool organization = i % 3 == 0;
    subject.set_kind(organization ? "organization" : "person");
    subject.set_label(
        absl::StrCat(organization ? "Organization " : "Person ", i));
  }
  return entities;
}

StatementRecord Dataset::Statement(int64_t j) const {
  Random random(seed_ ^ Mix(static_cast<uint64_t>(j)), kStatementStream);
  StatementRecord record;
  record.index = j;
  record.subject = random.Uniform(subjects_);
  record.predicate = static_cast<int>(random.Uniform(kPredicateCount));
  record.object = Object(record.predicate, random);
  record.edtf = ValidTime(random);
  record.source = static_cast<int>(random.Uniform(kSourceCount));
  absl::StatusOr<temporal::Extent> extent =
      temporal::Extent::Parse(record.edtf);
  if (!extent.ok()) {
    // A bug in ValidTime(), never an input error.
    std::fprintf(stderr, "bench_data: statement %lld: %s\n",
                 static_cast<long long>(j),
                 std::string(extent.status().message()).c_str());
    std::abort();
  }
  record.lower = extent->earliest_start();
  record.upper = extent->latest_end();
  record.retracted = IsRetracted(j);
  return record;
}

catalog::v1::Statement Dataset::ToProto(const StatementRecord& record) const {
  catalog::v1::Statement statement;
  statement.set_name(StatementName(record.index));
  statement.set_subject(SubjectName(record.subject));
  statement.set_predicate(Predicates()[record.predicate]);
  *statement.mutable_object() = record.object;
  statement.mutable_valid_time()->set_edtf(record.edtf);
  catalog::v1::SourceCitation* citation = statement.add_sources();
  citation->set_source(SourceName(record.source));
  citation->set_locator(absl::StrCat("p. ", 1 + record.index % 400));
  return statement;
}

int64_t Dataset::SubjectOf(int64_t j) const {
  // The first number of Statement()'s sequence.
  Random random(seed_ ^ Mix(static_cast<uint64_t>(j)), kStatementStream);
  return random.Uniform(subjects_);
}

bool Dataset::IsRetracted(int64_t j) const {
  Random retraction(seed_ ^ Mix(static_cast<uint64_t>(j)), kRetractionStream);
  return retraction.Uniform(1000) < kRetractedPerMille;
}

std::vector<int64_t> Dataset::Retracted() const {
  std::vector<int64_t> retracted;
  for (int64_t j = 0; j < statements_; ++j) {
    if (IsRetracted(j)) retracted.push_back(j);
  }
  return retracted;
}

std::string ObjectText(const catalog::v1::Value& object) {
  switch (object.kind_case()) {
    case catalog::v1::Value::kText:
      return object.text();
    case catalog::v1::Value::kInteger:
      return absl::StrCat(object.integer());
    case catalog::v1::Value::kDecimal:
      return object.decimal();
    case catalog::v1::Value::kQuantity:
      return absl::StrCat(object.quantity().amount(), " ",
                          object.quantity().unit());
    case catalog::v1::Value::kEntity:
      return object.entity();
    default:
      return "";
  }
}

std::string BoundText(Day day) {
  return temporal::IsFinite(day) ? temporal::FormatDay(day) : "";
}

std::string CsvRow(const StatementRecord& record) {
  std::string object = ObjectText(record.object);
  if (absl::StrContains(object, ",") || absl::StrContains(object, "\"") ||
      absl::StrContains(object, "\n")) {
    object =
        absl::StrCat("\"", absl::StrReplaceAll(object, {{"\"", "\"\""}}), "\"");
  }
  return absl::StrCat(record.index, ",", record.subject, ",",
                      Predicates()[record.predicate], ",", object, ",",
                      BoundText(record.lower), ",", BoundText(record.upper),
                      "\n");
}

void ForEachChange(const Dataset& data,
                   absl::FunctionRef<void(catalog::v1::Change)> emit) {
  int64_t sequence = 0;
  auto send = [&](catalog::v1::Change change, catalog::v1::ChangeType type) {
    change.set_sequence(++sequence);
    change.set_type(type);
    change.mutable_commit_time()->set_seconds(1700000000 + sequence / 1000);
    emit(std::move(change));
  };
  for (catalog::v1::Entity& entity : data.Entities()) {
    catalog::v1::Change change;
    *change.mutable_entity() = std::move(entity);
    send(std::move(change), catalog::v1::CHANGE_TYPE_CREATED);
  }
  for (int64_t j = 0; j < data.statements(); ++j) {
    catalog::v1::Change change;
    *change.mutable_statement() = data.ToProto(data.Statement(j));
    send(std::move(change), catalog::v1::CHANGE_TYPE_CREATED);
  }
  for (int64_t j : data.Retracted()) {
    catalog::v1::Change change;
    *change.mutable_statement() = data.ToProto(data.Statement(j));
    change.mutable_statement()->mutable_retract_time()->set_seconds(1800000000);
    send(std::move(change), catalog::v1::CHANGE_TYPE_RETRACTED);
  }
}

}  // namespace annals::bench
