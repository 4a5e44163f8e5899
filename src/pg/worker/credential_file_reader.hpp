// The worker's reading of credential files (core/dispatch/credential_files.hpp has the rules): each
// {"file": "<name>"} credential is replaced by the content of <capi.credentials_directory>/<name>.
// Plain POSIX I/O, no PostgreSQL call; nothing read is ever logged.
#pragma once

#include <string>

#include "core/dispatch/destination.hpp"

namespace capi::pg::worker {

// destination with its credential files read. A file that cannot be used (directory not set,
// missing, not a regular file, wrong owner or mode, bad content) leaves the references in place and
// sets credentials_unavailable to the reason (key and check, never content): the pipeline then
// pauses the destination. Never throws capi::Error.
dispatch::Destination WithCredentialFiles(dispatch::Destination destination, const std::string &directory);

} // namespace capi::pg::worker

#include "core/cpp_only.hpp"
