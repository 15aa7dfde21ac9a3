// RocksDB's info log ("LOG" in the data folder), written so that a failing
// disk cannot abort the process.
//
// RocksDB's own info log writes through a WritableFileWriter, which, once a
// write has failed (ENOSPC, EIO, EROFS), treats any later write as a broken
// invariant: the Debian build, with assertions on, aborts on the next log
// line (`sync_without_flush_called_`, exit 134). RocksDB logs the failure
// itself, so a full disk aborted the catalog at the first failing write and
// again at every restart. This logger appends each line with one write(2)
// and drops lines the file system refuses.
//
// Thread safety: safe for concurrent use, as rocksdb::Logger must be.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_INFO_LOG_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_INFO_LOG_H_

#include <memory>
#include <string>

#include "rocksdb/env.h"

namespace annals::catalog {

// A logger for rocksdb::DBOptions::info_log that appends to `folder`/LOG.
// An existing LOG is first renamed LOG.old.<microseconds>, the name RocksDB
// itself uses, so that RocksDB keeps at most keep_log_file_num of them.
// Never fails: when the file cannot be opened (a read-only or full file
// system) the logger drops every line.
std::shared_ptr<rocksdb::Logger> NewRocksDbInfoLog(const std::string& folder);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_INFO_LOG_H_
