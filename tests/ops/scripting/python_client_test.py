#!/usr/bin/env python3
"""Drives both services from Python with Debian's grpcio and protobuf.

Stubs are generated from proto/ at test time, into a temporary folder, with
protoc and Debian's grpc_python_plugin (docs/grpcurl.md shows the command).
gRPC's health and reflection protocols come from /usr/share/grpc-proto and
are generated as the grpc_health and grpc_reflection packages (as pip's
grpcio-health-checking and grpcio-reflection name them), because the grpc
package itself is grpcio's.

Usage: python_client_test.py --source-dir=DIR --catalog=BIN --timeline=BIN
           [unittest arguments]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import annals_services

GRPC_PROTO_ROOT = "/usr/share/grpc-proto"
PROTOS = [
    "annals/type/v1/extent.proto",
    "annals/catalog/v1/resources.proto",
    "annals/catalog/v1/catalog_service.proto",
    "annals/timeline/v1/timeline_service.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
]
# gRPC's own protocols, renamed into packages that do not clash with grpcio.
GRPC_PROTOS = {
    "grpc/health/v1/health.proto": "grpc_health/v1/health.proto",
    "grpc/reflection/v1alpha/reflection.proto":
        "grpc_reflection/v1alpha/reflection.proto",
}
CALL_TIMEOUT_S = 10
READY_TIMEOUT_S = 30

ARGS = None
SCRATCH = None
CATALOG = None
TIMELINE = None


def GenerateStubs(source_dir, out_dir):
    renamed = os.path.join(out_dir, "protos")
    for source, target in GRPC_PROTOS.items():
        os.makedirs(os.path.dirname(os.path.join(renamed, target)),
                    exist_ok=True)
        shutil.copy(os.path.join(GRPC_PROTO_ROOT, source),
                    os.path.join(renamed, target))
    subprocess.run(
        ["protoc", f"-I{os.path.join(source_dir, 'proto')}", f"-I{renamed}",
         f"--python_out={out_dir}", f"--grpc_out={out_dir}",
         "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin"]
        + PROTOS + list(GRPC_PROTOS.values()),
        check=True)
    sys.path.insert(0, out_dir)


def setUpModule():
    global SCRATCH, CATALOG, TIMELINE
    global grpc, cat, cat_grpc, res, tl, tl_grpc, status_pb2, details_pb2
    global health_pb2, health_grpc, refl_pb2, refl_grpc, descriptor_pb2
    global descriptor_pool, extent_pb2
    SCRATCH = tempfile.mkdtemp(prefix="annals-python-")
    GenerateStubs(ARGS.source_dir, os.path.join(SCRATCH, "stubs"))
    import grpc
    from google.protobuf import descriptor_pb2, descriptor_pool
    from annals.catalog.v1 import catalog_service_pb2 as cat
    from annals.catalog.v1 import catalog_service_pb2_grpc as cat_grpc
    from annals.catalog.v1 import resources_pb2 as res
    from annals.timeline.v1 import timeline_service_pb2 as tl
    from annals.type.v1 import extent_pb2
    from annals.timeline.v1 import timeline_service_pb2_grpc as tl_grpc
    from google.rpc import error_details_pb2 as details_pb2
    from google.rpc import status_pb2
    from grpc_health.v1 import health_pb2
    from grpc_health.v1 import health_pb2_grpc as health_grpc
    from grpc_reflection.v1alpha import reflection_pb2 as refl_pb2
    from grpc_reflection.v1alpha import reflection_pb2_grpc as refl_grpc

    CATALOG = annals_services.StartCatalog(ARGS.catalog, SCRATCH)
    try:
        TIMELINE = annals_services.StartTimeline(ARGS.timeline, SCRATCH,
                                                 CATALOG.address)
    except Exception:
        CATALOG.Stop()
        raise


def tearDownModule():
    codes = []
    for service in (TIMELINE, CATALOG):
        if service is not None:
            codes.append(service.Stop())
    if all(code == 0 for code in codes):
        shutil.rmtree(SCRATCH, ignore_errors=True)


def Details(error):
    """The google.rpc details of a failed call, as {type name: message}."""
    trailers = dict(error.trailing_metadata() or ())
    raw = trailers.get("grpc-status-details-bin")
    if raw is None:
        return {}
    status = status_pb2.Status.FromString(raw)
    result = {}
    for any_detail in status.details:
        for kind in (details_pb2.BadRequest, details_pb2.ErrorInfo,
                     details_pb2.ResourceInfo,
                     details_pb2.PreconditionFailure):
            if any_detail.Is(kind.DESCRIPTOR):
                message = kind()
                any_detail.Unpack(message)
                result[kind.DESCRIPTOR.full_name] = message
    return result


class ScriptingTest(unittest.TestCase):
    """Shares one catalog and timeline; each test writes its own ids."""

    @classmethod
    def setUpClass(cls):
        cls.catalog_channel = grpc.insecure_channel(CATALOG.address)
        cls.timeline_channel = grpc.insecure_channel(TIMELINE.address)
        cls.catalog = cat_grpc.CatalogServiceStub(cls.catalog_channel)
        cls.timeline = tl_grpc.TimelineServiceStub(cls.timeline_channel)

    @classmethod
    def tearDownClass(cls):
        cls.catalog_channel.close()
        cls.timeline_channel.close()

    def CreateSource(self, entity_id):
        return self.catalog.CreateEntity(
            cat.CreateEntityRequest(
                entity_id=entity_id,
                entity=res.Entity(kind="source", label=f"Notes {entity_id}")),
            timeout=CALL_TIMEOUT_S)

    def CreateVisit(self, prefix):
        """A source, an event and a statement about it; returns all three."""
        source = self.CreateSource(f"{prefix}-notes")
        event = self.catalog.CreateEntity(
            cat.CreateEntityRequest(
                entity_id=f"{prefix}-visit",
                entity=res.Entity(
                    kind="event", label=f"Visit {prefix}",
                    aliases=[f"The {prefix} visit"],
                    lifespan=extent_pb2.Extent(edtf="2025-03-12"))),
            timeout=CALL_TIMEOUT_S)
        statement = self.catalog.CreateStatement(
            cat.CreateStatementRequest(
                statement_id=f"{prefix}-place",
                statement=res.Statement(
                    subject=event.name, predicate="located_in",
                    object=res.Value(text="Baghdad"),
                    valid_time=extent_pb2.Extent(edtf="2025-03-12"),
                    sources=[res.SourceCitation(source=source.name,
                                                locator="p. 1")],
                    qualifiers={"note": "made up"})),
            timeout=CALL_TIMEOUT_S)
        return source, event, statement

    def testWritesAreReadBackFromTheCatalog(self):
        _, event, statement = self.CreateVisit("readback")
        self.assertEqual(event.name, "entities/readback-visit")
        self.assertGreater(statement.sequence, event.sequence)

        by_alias = self.catalog.GetEntity(
            cat.GetEntityRequest(name="the READBACK visit"),
            timeout=CALL_TIMEOUT_S)
        self.assertEqual(by_alias, event)
        read = self.catalog.GetStatement(
            cat.GetStatementRequest(name="readback-place"),
            timeout=CALL_TIMEOUT_S)
        self.assertEqual(read, statement)
        self.assertEqual(read.object.text, "Baghdad")
        self.assertEqual(dict(read.qualifiers), {"note": "made up"})
        listed = self.catalog.ListStatements(
            cat.ListStatementsRequest(subject="readback-visit"),
            timeout=CALL_TIMEOUT_S)
        self.assertEqual([s.name for s in listed.statements],
                         ["statements/readback-place"])

    def testTimelineAnswersWithTheWriteOnceAskedForItsSequence(self):
        _, event, statement = self.CreateVisit("timeline")
        snapshot = self.timeline.GetSnapshot(
            tl.GetSnapshotRequest(entity="timeline-visit", at="2025-03-12",
                                  min_sequence=statement.sequence),
            timeout=CALL_TIMEOUT_S)
        self.assertGreaterEqual(snapshot.sequence, statement.sequence)
        self.assertEqual(snapshot.entity.name, event.name)
        self.assertEqual([item.statement.name for item in snapshot.statements],
                         ["statements/timeline-place"])
        self.assertEqual(snapshot.statements[0].certainty,
                         extent_pb2.CERTAINTY_DEFINITE)
        self.assertEqual(snapshot.lifespan_certainty,
                         extent_pb2.CERTAINTY_DEFINITE)
        # The day after, the one-day statement no longer holds.
        next_day = self.timeline.GetSnapshot(
            tl.GetSnapshotRequest(entity="timeline-visit", at="2025-03-13",
                                  min_sequence=statement.sequence),
            timeout=CALL_TIMEOUT_S)
        self.assertEqual(len(next_day.statements), 0)

    def testWatchChangesStreamsTheWritesInOrder(self):
        source = self.CreateSource("watch-first")
        _, event, statement = self.CreateVisit("watch")
        stream = self.catalog.WatchChanges(
            cat.WatchChangesRequest(after_sequence=source.sequence - 1),
            timeout=CALL_TIMEOUT_S)
        try:
            first = next(stream)
            self.assertEqual(len(first.changes), 0)
            self.assertGreaterEqual(first.head_sequence, statement.sequence)
            self.assertTrue(first.catalog_id)
            changes = []
            for message in stream:
                changes.extend(message.changes)
                if changes and changes[-1].sequence >= statement.sequence:
                    break
        finally:
            stream.cancel()
        sequences = [change.sequence for change in changes]
        self.assertEqual(sequences,
                         list(range(source.sequence, statement.sequence + 1)))
        names = [change.entity.name or change.statement.name
                 for change in changes]
        self.assertEqual(names[0], source.name)
        self.assertIn(event.name, names)
        self.assertEqual(names[-1], statement.name)
        self.assertTrue(all(change.type == cat.CHANGE_TYPE_CREATED
                            for change in changes))

    def testInvalidArgumentNamesTheFieldInBadRequestDetails(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.catalog.CreateEntity(
                cat.CreateEntityRequest(
                    entity_id="Not An Id",
                    entity=res.Entity(kind="event", label="Bad")),
                timeout=CALL_TIMEOUT_S)
        self.assertEqual(raised.exception.code(),
                         grpc.StatusCode.INVALID_ARGUMENT)
        details = Details(raised.exception)
        self.assertEqual(
            [v.field for v in
             details["google.rpc.BadRequest"].field_violations],
            ["entity_id"])
        self.assertEqual(details["google.rpc.ErrorInfo"].domain, "annals.dev")

        known = self.CreateSource("invalid-notes")
        with self.assertRaises(grpc.RpcError) as raised:
            self.timeline.GetSnapshot(
                tl.GetSnapshotRequest(entity=known.name, at="June 2021",
                                      min_sequence=known.sequence),
                timeout=CALL_TIMEOUT_S)
        self.assertEqual(raised.exception.code(),
                         grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(
            [v.field for v in Details(raised.exception)
             ["google.rpc.BadRequest"].field_violations],
            ["at"])

    def testMissingEntityIsNotFoundWithResourceInfo(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.catalog.GetEntity(
                cat.GetEntityRequest(name="entities/no-such-thing"),
                timeout=CALL_TIMEOUT_S)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertEqual(
            Details(raised.exception)["google.rpc.ResourceInfo"].resource_name,
            "entities/no-such-thing")

    def testStaleEtagIsAborted(self):
        created = self.CreateSource("etag-notes")
        updated = self.catalog.UpdateEntity(
            cat.UpdateEntityRequest(
                entity=res.Entity(name=created.name, etag=created.etag,
                                  description="first"),
                update_mask={"paths": ["description"]}),
            timeout=CALL_TIMEOUT_S)
        self.assertEqual(updated.description, "first")
        self.assertNotEqual(updated.etag, created.etag)
        with self.assertRaises(grpc.RpcError) as raised:
            self.catalog.UpdateEntity(
                cat.UpdateEntityRequest(
                    entity=res.Entity(name=created.name, etag=created.etag,
                                      description="second"),
                    update_mask={"paths": ["description"]}),
                timeout=CALL_TIMEOUT_S)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.ABORTED)

    def testBothServicesReportServing(self):
        # The timeline is NOT_SERVING until it has caught up with the catalog,
        # which a slow (sanitizer) build may not have done yet; a readiness
        # probe polls, and so does this test, within a bounded time.
        for channel, service in (
                (self.catalog_channel, "annals.catalog.v1.CatalogService"),
                (self.timeline_channel, "annals.timeline.v1.TimelineService")):
            health = health_grpc.HealthStub(channel)
            for name in (service, ""):
                deadline = time.monotonic() + READY_TIMEOUT_S
                while True:
                    response = health.Check(
                        health_pb2.HealthCheckRequest(service=name),
                        timeout=CALL_TIMEOUT_S, wait_for_ready=True)
                    if (response.status ==
                            health_pb2.HealthCheckResponse.SERVING or
                            time.monotonic() > deadline):
                        break
                    time.sleep(0.05)
                self.assertEqual(response.status,
                                 health_pb2.HealthCheckResponse.SERVING,
                                 f"{service} {name!r}")

    def testReflectionDescribesServicesHealthAndErrorDetails(self):
        wanted = {
            self.catalog_channel: ["annals.catalog.v1.CatalogService",
                                   "grpc.health.v1.Health",
                                   "google.rpc.BadRequest",
                                   "google.rpc.Status"],
            self.timeline_channel: ["annals.timeline.v1.TimelineService",
                                    "grpc.health.v1.Health",
                                    "google.rpc.BadRequest"],
        }
        for channel, symbols in wanted.items():
            reflection = refl_grpc.ServerReflectionStub(channel)
            requests = [refl_pb2.ServerReflectionRequest(list_services="")]
            requests += [
                refl_pb2.ServerReflectionRequest(file_containing_symbol=symbol)
                for symbol in symbols
            ]
            responses = list(reflection.ServerReflectionInfo(
                iter(requests), timeout=CALL_TIMEOUT_S))
            listed = {s.name for s in
                      responses[0].list_services_response.service}
            self.assertIn("grpc.health.v1.Health", listed)
            self.assertIn(symbols[0], listed)
            # Every file sent (dependencies included) builds one pool, as a
            # reflection client does; then each symbol resolves.
            pool = descriptor_pool.DescriptorPool()
            files = {}
            for response in responses[1:]:
                self.assertFalse(response.HasField("error_response"),
                                 response.error_response.error_message)
                for raw in response.file_descriptor_response \
                        .file_descriptor_proto:
                    proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
                    files[proto.name] = proto
            added = set()

            def Add(name):
                if name in added:
                    return
                for dependency in files[name].dependency:
                    Add(dependency)
                pool.Add(files[name])
                added.add(name)

            for name in files:
                Add(name)
            for symbol in symbols:
                self.assertIsNotNone(pool.FindFileContainingSymbol(symbol),
                                     symbol)
            check = pool.FindServiceByName("grpc.health.v1.Health") \
                .FindMethodByName("Check")
            self.assertEqual(check.input_type.full_name,
                             "grpc.health.v1.HealthCheckRequest")


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--timeline", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
