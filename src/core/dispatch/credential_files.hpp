// Credentials kept in files the server reads, so that tokens need never appear in SQL text.
//
// A top-level value of a destination's credentials of the form {"file": "<name>"} names a file in
// capi.credentials_directory (a superuser setting). The worker replaces each such value by the file's
// content (one trailing newline removed) when it loads the destination; the save-time check and
// capi.preview only check the reference's form and put a placeholder in its place (they never read
// the file). This file holds the rules (names, the file's owner and mode, the content); the file I/O
// is the PostgreSQL glue's (src/pg/worker/credential_file_reader.cpp). Messages name the key, the
// file name and the failed check, never a file's content.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/dispatch/destination.hpp"

namespace capi::dispatch {

// What the glue learnt from fstat() of an open credential file.
struct CredentialFileFacts {
	bool regular_file = false;
	std::uint32_t owner_uid = 0;
	std::uint32_t mode = 0; // permission bits (st_mode & 07777)
	std::uint64_t size = 0;
};

// Larger files are refused: a token, a secret or a refresh token is far smaller.
inline constexpr std::uint64_t kMaxCredentialFileBytes = 64 * 1024;

// "" when name is a plain file name (1 to 255 ASCII letters, digits, '.', '_' or '-', not starting
// with '.', no ".."), else why not.
std::string CredentialFileNameProblem(std::string_view name);

// "" when the file may be used: a regular file owned by server_uid, with no permission for group or
// others, at most kMaxCredentialFileBytes; else the check it fails (with the mode in octal).
std::string CredentialFileProblem(const CredentialFileFacts &facts, std::uint32_t server_uid);

// The file's content as the credential: one trailing "\n" or "\r\n" removed. Throws capi::Error
// 22023 (message without content) when it is then empty or still holds a control character (a
// second line).
std::string CredentialFromFileContent(std::string content);

// True when destination.credentials_json has a top-level {"file": ...} value.
bool HasCredentialFiles(const Destination &destination);

// Reads one credential file by name: returns its raw content, or throws capi::Error saying why not.
using CredentialFileReader = std::function<std::string(const std::string &name)>;

// destination.credentials_json with every top-level {"file": "<name>"} value replaced by
// CredentialFromFileContent(read(name)). Text that is not a JSON object is returned unchanged (the
// adapter's check reports it). Throws capi::Error 22023 "destination <name>: credentials.<key> ..."
// for a malformed reference ({"file": 1}, another key beside "file", a name that is not plain) and
// for a file that cannot be used (the reader's reason).
std::string ResolveCredentialFiles(const Destination &destination, const CredentialFileReader &read);

// What stands for a file's content where the file is not read (the save-time check, capi.preview).
inline constexpr std::string_view kCredentialFilePlaceholder = "[CREDENTIAL FILE]";

// ResolveCredentialFiles with every reference replaced by kCredentialFilePlaceholder: checks the
// references' form only.
std::string CredentialFilesAsPlaceholders(const Destination &destination);

// Throws capi::Error 22023 with destination.credentials_unavailable when it is set (a credential
// file the worker could not use): the pipeline then pauses the destination with that reason.
void RequireCredentialsAvailable(const Destination &destination);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
