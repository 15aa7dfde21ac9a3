#include "clients/cli/commands.h"

namespace annals::cli {

const char kUsage[] = R"(annals: the Annals command-line tool

Usage: annals [--catalog=HOST:PORT] [--timeline=HOST:PORT] [--json] COMMAND ...

Catalog commands:
  get NAME                       an entity (by id, label or alias) or statements/ID
  list entities|statements ...   list with filters (see annals list --help)
  create entity|statement ...    create one record (see annals create --help)
  update ID --label=L ...        change the fields given (--etag, --dry-run)
  delete ID                      mark an entity deleted
  retract STATEMENT --reason=R   a statement no longer holds
  import PATH...                 load .textproto/.json/.jsonl import files (a folder: its files in name order)
  export [-o FILE]               the catalog as JSON Lines that import reads back (--history, --as-of)
  watch [--after=N]              follow the change feed
Timeline commands:
  snapshot ENTITY --at=DATE      what holds about ENTITY on DATE
  history ENTITY [--predicate=P] its statements in order, with durations
  window --from=DATE --to=DATE   what overlaps the window (both ends included)
  at DAY                         what existed, happened and held on DAY
  relate A B                     Allen relations between two extents
  gaps SUBJECT --predicate=P --from=DATE --to=DATE
  count --bucket=year|month --from=DATE --to=DATE
  render -o FILE.svg [...]       draw a timeline as SVG (and --html=FILE.html)
  demo                           five questions about the NATO data set
DATE is an EDTF date of any precision: --from=2017 --to=2017 is all of 2017,
-0044-03-15 is 15 March 45 BC (astronomical years: 0000 is 1 BC).
Operations:
  health [catalog|timeline]      SERVING or NOT_SERVING (exit 0 only when SERVING)
  backup DIR [--keep=N]          online backup into DIR on the catalog SERVER's disk

Global flags (also before or after the command):
  --catalog    catalog address (env ANNALS_CATALOG, default 127.0.0.1:7401)
  --timeline   timeline address (env ANNALS_TIMELINE, default 127.0.0.1:7402)
  --json       print JSON Lines (every field, zeros included) instead of tables
  --timeout    per-call deadline in seconds (default 10)
  --min-sequence  timeline answers wait until this catalog sequence is applied
               (a command's own writes are always waited for)
  --tls_ca     PEM CA that signs the servers' certificates; connects over TLS
               (env ANNALS_TLS_CA)
  --tls_cert   PEM client certificate, for servers that require mutual TLS
               (env ANNALS_TLS_CERT; needs --tls_key)
  --tls_key    PEM key of --tls_cert (env ANNALS_TLS_KEY)
  --token_file file holding the bearer token sent with every call
               (env ANNALS_TOKEN_FILE); without TLS it travels in clear text
Run "annals COMMAND --help" for a command's flags.
)";

const std::map<std::string, CommandSpec>& Commands() {
  static const auto* commands = new std::map<std::string, CommandSpec>{
      {"get",
       {"annals get NAME\n  NAME: an entity id, label or alias, or "
        "statements/ID",
        {},
        {}}},
      {"list",
       {"annals list entities [--kind=K] [--prefix=ID_PREFIX] [--deleted] "
        "[--limit=N | --all]\n"
        "annals list statements [--subject=E] [--predicate=P] [--object=E] "
        "[--retracted] [--limit=N | --all]\n"
        "  At most --limit items (default 1000), or --all. A listing cut "
        "short says so on\n"
        "  stderr; cut by the default limit, it exits 1.",
        {"kind", "prefix", "subject", "predicate", "object", "limit"},
        {"deleted", "retracted", "all"}}},
      {"create",
       {"annals create entity ID --kind=K --label=L [--alias=A]... "
        "[--lifespan=EDTF | --lifespan-bounds=BOUNDS] "
        "[--lifespan-source=SOURCE[#LOCATOR]]...\n"
        "    [--description=D] [--attr=KEY=VALUE]...\n"
        "annals create statement --subject=E --predicate=P "
        "(--valid=EDTF | --valid-bounds=BOUNDS)\n"
        "    (--object=ENTITY | --text=T | --integer=N | --decimal=D | "
        "--quantity='AMOUNT UNIT')\n"
        "    [--source=SOURCE[#LOCATOR]]... [--qualifier=KEY=VALUE]... "
        "[--id=ID]\n"
        "  BOUNDS gives a valid time EDTF cannot write: EARLIEST_START,"
        "LATEST_START,\n"
        "  EARLIEST_END,LATEST_END, each an EDTF date, .. (open) or empty "
        "(unknown);\n"
        "  --valid-bounds=1100,1200,1450,1500 started between 1100 and 1200 "
        "and\n"
        "  ended (its last day) between 1450 and 1500.\n"
        "  --dry-run        check as the catalog would, write nothing\n"
        "  --request-id=R   a retry with the same R applies once",
        {"kind",
         "label",
         "alias",
         "lifespan",
         "lifespan-bounds",
         "lifespan-source",
         "description",
         "attr",
         "subject",
         "predicate",
         "valid",
         "valid-bounds",
         "object",
         "text",
         "integer",
         "decimal",
         "quantity",
         "source",
         "qualifier",
         "id",
         "request-id"},
        {"dry-run"}}},
      {"update",
       {"annals update ID [--kind=K] [--label=L] [--alias=A]... "
        "[--description=D] [--attr=KEY=VALUE]...\n"
        "    [--lifespan=EDTF | --lifespan-bounds=BOUNDS] "
        "[--lifespan-source=SOURCE[#LOCATOR]]...\n"
        "    [--clear=FIELD]... [--etag=E] [--dry-run] [--request-id=R]\n"
        "  Changes only the fields given (the update mask is made from the "
        "flags);\n"
        "  --alias, --attr and --lifespan-source replace the whole list or "
        "map.\n"
        "  --clear=FIELD    empty aliases, description, attributes, lifespan "
        "or\n"
        "                   lifespan-sources\n"
        "  --etag=E         only if the entity is still at etag E (ABORTED "
        "otherwise)\n"
        "  --dry-run        check as the catalog would, write nothing\n"
        "  --request-id=R   a retry with the same R applies once",
        {"kind", "label", "alias", "lifespan", "lifespan-bounds",
         "lifespan-source", "description", "attr", "clear", "etag",
         "request-id"},
        {"dry-run"}}},
      {"delete",
       {"annals delete ID [--etag=E] [--dry-run] [--request-id=R]\n"
        "  Marks the entity deleted; its history and statements stay.",
        {"etag", "request-id"},
        {"dry-run"}}},
      {"retract",
       {"annals retract STATEMENT_ID --reason=TEXT [--etag=E] [--dry-run] "
        "[--request-id=R]\n"
        "  The statement no longer holds; it stays in history with the "
        "reason.",
        {"reason", "etag", "request-id"},
        {"dry-run"}}},
      {"import",
       {"annals import PATH... [--keep-going] [--dry-run] [--retry-for=S]\n"
        "  Each .textproto, .txtpb or .json file is one "
        "ImportRecordsRequest, committed\n"
        "  all or nothing; a .jsonl file holds one ImportRecord per line, "
        "committed in\n"
        "  batches of 1000. A folder imports its files in name order. "
        "Re-importing the\n"
        "  same data changes nothing. Each file is reported as imported, "
        "rejected,\n"
        "  committed in part (a .jsonl file's earlier batches) or of unknown "
        "outcome\n"
        "  (the catalog stopped answering mid-call).\n"
        "  --keep-going  apply every record that can be applied and report "
        "each refused\n"
        "                one as FILE:LINE: record N: reason (N counts from 1 "
        "in its file;\n"
        "                .json files have no lines)\n"
        "  --dry-run     check everything and commit nothing; files are "
        "checked in order\n"
        "                as one run, so a file may refer to entities of "
        "earlier files\n"
        "  --retry-for=S while an outcome is unknown, send the same batches "
        "again with\n"
        "                the same request ids for up to S seconds (default "
        "60): the\n"
        "                catalog applies none twice\n"
        "  Exit status: 0 all imported; 1 something rejected; 75 nothing "
        "rejected but\n"
        "  some outcome still unknown (run the same command again later)",
        {"retry-for"},
        {"dry-run", "keep-going"}}},
      {"export",
       {"annals export [--kind=K]... [--subject=E]... [--predicate=P]... "
        "[--as-of=RFC3339] [--history] [-o|--output FILE]\n"
        "  The catalog at one sequence as JSON Lines: a header line naming "
        "the sequence,\n"
        "  then one import record per line, entities before statements "
        "(annals import\n"
        "  reads the file back as it is). Deleted entities, retracted "
        "statements and\n"
        "  statements referring to deleted entities are left out and counted "
        "on stderr.\n"
        "  --kind selects entities (and the statements about them); "
        "--subject and\n"
        "  --predicate select statements, with the entities they refer to. "
        "--as-of\n"
        "  exports the catalog as it stood at that record time. --history "
        "writes every\n"
        "  change instead ({\"change\": ...} lines: revisions, retractions, "
        "deletions,\n"
        "  with commit times), which import does not replay. Default "
        "output: stdout.",
        {"kind", "subject", "predicate", "as-of", "output"},
        {"history"},
        {{"output", 'o'}}}},
      {"watch",
       {"annals watch [--after=SEQUENCE] [--limit=N]", {"after", "limit"}, {}}},
      {"snapshot",
       {"annals snapshot ENTITY --at=YYYY-MM-DD [--predicate=P] "
        "[--known-at=RFC3339]",
        {"at", "predicate", "known-at"},
        {}}},
      {"history",
       {"annals history ENTITY [--predicate=P] [--known-at=RFC3339]",
        {"predicate", "known-at"},
        {}}},
      {"window",
       {"annals window --from=DATE --to=DATE [--type=lifespan|event|statement] "
        "[--kind=K] [--predicate=P] [--entity=E] [--limit=N | --all] "
        "[--known-at=RFC3339]\n"
        "  At most --limit items (default 1000), or --all. A listing cut "
        "short says so on\n"
        "  stderr; cut by the default limit, it exits 1.",
        {"from", "to", "type", "kind", "predicate", "entity", "limit",
         "known-at"},
        {"all"}}},
      {"at",
       {"annals at DAY [--type=lifespan|event|statement] [--kind=K] "
        "[--predicate=P] [--entity=E] [--limit=N | --all] "
        "[--known-at=RFC3339]\n"
        "  What existed (lifespans), happened (events) and held (statements) "
        "on DAY,\n"
        "  across the catalog: the window from DAY to DAY. DAY is an EDTF "
        "date of\n"
        "  any precision (at 2017 is the whole year).",
        {"type", "kind", "predicate", "entity", "limit", "known-at"},
        {"all"}}},
      {"relate",
       {"annals relate A B [--known-at=RFC3339]\n"
        "  A and B: an entity id (its lifespan), statements/ID, or EDTF such "
        "as "
        "2018-10/..",
        {"known-at"},
        {}}},
      {"gaps",
       {"annals gaps SUBJECT [--predicate=P] --from=DATE --to=DATE "
        "[--known-at=RFC3339]",
        {"predicate", "from", "to", "known-at"},
        {}}},
      {"count",
       {"annals count --bucket=year|month --from=DATE --to=DATE "
        "[--type=lifespan|event|statement] [--kind=K] [--predicate=P] "
        "[--entity=E] [--known-at=RFC3339]",
        {"bucket", "from", "to", "type", "kind", "predicate", "entity",
         "known-at"},
        {}}},
      {"render",
       {"annals render -o|--output FILE.svg [--html=FILE.html] [--entity=E]... "
        "[--predicate=P]... [--kind=K]... [--title=T] [--from=DATE] "
        "[--to=DATE] [--width=PX]\n"
        "  Lanes: each --kind's entity lifespans (default: mission), grouped "
        "by kind,\n"
        "  and for each --entity its statements of each --predicate "
        "(default: nmi,\n"
        "  commander), grouped by predicate; groups and lanes in time order.\n"
        "  --from/--to (EDTF dates of any precision, both included) crop the "
        "picture\n"
        "  and drop lanes with nothing in it; --from-year/--to-year are the "
        "same for\n"
        "  years. --html also writes a page that zooms, pans and shows each "
        "item's\n"
        "  dates, certainty and sources.",
        {"output", "html", "entity", "predicate", "kind", "title", "from", "to",
         "from-year", "to-year", "width"},
        {},
        {{"output", 'o'}}}},
      {"demo", {"annals demo", {}, {}}},
      {"backup",
       {"annals backup DIR [--keep=N] [--wait=SECONDS]\n"
        "  Asks the catalog for a consistent backup while it serves and "
        "writes go on\n"
        "  (CatalogAdminService.CreateBackup). DIR is an absolute path on "
        "the catalog\n"
        "  SERVER's file system, not this machine's; it is created if "
        "missing. Backups\n"
        "  in one DIR are incremental. --keep=N keeps the newest N (default "
        "0: all).\n"
        "  --wait: how long to wait for the backup (default 3600 seconds). "
        "A catalog\n"
        "  that requires a token for writes needs it here (--token_file). "
        "Restore "
        "with\n"
        "  annals-catalog --restore_from=DIR --data_dir=NEW_DIR; check with\n"
        "  annals-catalog --verify=DIR.",
        {"keep", "wait"},
        {}}},
      {"health",
       {"annals health [catalog|timeline] [--service=NAME]\n"
        "  Calls grpc.health.v1.Health/Check on the catalog, or on the "
        "timeline\n"
        "  (\"timeline\", or --timeline[=HOST:PORT] after the command), and "
        "prints\n"
        "  SERVING or NOT_SERVING. Exit status 0 only when SERVING. NAME: a "
        "service\n"
        "  such as annals.timeline.v1.TimelineService (default \"\": the "
        "whole server).",
        {"service"},
        {}}},
  };
  return *commands;
}

}  // namespace annals::cli
