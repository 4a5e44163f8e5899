// Command-line options of capi_test_server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace capi::testserver {

struct ServerOptions {
	std::string host = "127.0.0.1"; // loopback only (127.0.0.0/8 or ::1)
	uint16_t port = 0;              // 0: ephemeral
	std::string port_file;          // written (tmp + rename) once listening
	std::string tls_cert;           // PEM; with tls_key: HTTPS
	std::string tls_key;
	std::string record_path;              // JSON lines of accepted events; empty: off
	std::vector<std::string> meta_tokens; // empty: any non-empty token is accepted
	std::vector<std::string> meta_pixels; // empty: any all-digit pixel id is accepted
	// --token platform=TOKEN: the valid static tokens per platform (none listed: any non-empty token)
	std::map<std::string, std::vector<std::string>, std::less<>> platform_tokens;
	int64_t oauth_token_lifetime_s = 3600; // expires_in of tokens the OAuth endpoints issue
	size_t max_body_bytes = 64u << 20;     // larger bodies get 413
	size_t recent_events = 10000;          // kept for GET /__control/events
	// --fault-rate R --fault-kinds a,b --fault-seed N: random faults from the start (as POST
	// /__control/faults {"random": {...}} sets them later); rate 0: none.
	double fault_rate = 0;
	std::string fault_kinds; // comma-separated kind names; empty: every kind
	uint64_t fault_seed = 1;
	bool quiet = false;
};

// Parses argv. On --help or an error returns false and sets *message (usage or the error).
bool ParseCommandLine(int argc, char **argv, ServerOptions *options, std::string *message);

const char *Usage();

} // namespace capi::testserver
