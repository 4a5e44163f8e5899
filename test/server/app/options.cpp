#include "server/app/options.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace capi::testserver {

const char *Usage() {
	return "usage: capi_test_server [options]\n"
	       "  --port N              TCP port on the loopback address (default 0 = ephemeral)\n"
	       "  --host ADDR           loopback address to bind (default 127.0.0.1; ::1 allowed)\n"
	       "  --port-file PATH      write the bound port there (atomically) once listening\n"
	       "  --tls-cert PEM        certificate chain; with --tls-key serve HTTPS (HTTP/1.1)\n"
	       "  --tls-key PEM         private key\n"
	       "  --record PATH         append every accepted event as one JSON line\n"
	       "  --meta-token TOKEN    a valid Meta access token (repeatable; none: any token)\n"
	       "  --meta-pixel ID       a known Meta pixel id (repeatable; none: any digits)\n"
	       "  --token P=TOKEN       a valid static token of platform P (repeatable; none for P: any)\n"
	       "  --oauth-token-lifetime S  expires_in of issued OAuth tokens (default 3600)\n"
	       "  --max-body-bytes N    largest request body (default 67108864)\n"
	       "  --recent-events N     accepted events kept for GET /__control/events (default 10000)\n"
	       "  --fault-rate R        share of platform requests that get a random fault (0..1, default 0)\n"
	       "  --fault-kinds K,...   the random faults' kinds (default all; see test/server/README.md)\n"
	       "  --fault-seed N        seed of the random faults (default 1)\n"
	       "  --quiet               no startup line on stderr\n";
}

namespace {

bool ParseNumber(const char *text, unsigned long long max, unsigned long long *value) {
	char *end = nullptr;
	errno = 0;
	unsigned long long parsed = std::strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || parsed > max) {
		return false;
	}
	*value = parsed;
	return true;
}

} // namespace

bool ParseCommandLine(int argc, char **argv, ServerOptions *options, std::string *message) {
	for (int i = 1; i < argc; ++i) {
		std::string flag = argv[i];
		if (flag == "--help" || flag == "-h") {
			*message = Usage();
			return false;
		}
		if (flag == "--quiet") {
			options->quiet = true;
			continue;
		}
		if (i + 1 >= argc) {
			*message = "missing value after " + flag + "\n" + Usage();
			return false;
		}
		const char *value = argv[++i];
		unsigned long long number = 0;
		if (flag == "--port") {
			if (!ParseNumber(value, 65535, &number)) {
				*message = "invalid --port " + std::string(value);
				return false;
			}
			options->port = static_cast<uint16_t>(number);
		} else if (flag == "--host") {
			options->host = value;
		} else if (flag == "--port-file") {
			options->port_file = value;
		} else if (flag == "--tls-cert") {
			options->tls_cert = value;
		} else if (flag == "--tls-key") {
			options->tls_key = value;
		} else if (flag == "--record") {
			options->record_path = value;
		} else if (flag == "--meta-token") {
			options->meta_tokens.emplace_back(value);
		} else if (flag == "--meta-pixel") {
			options->meta_pixels.emplace_back(value);
		} else if (flag == "--token") {
			std::string text = value;
			const std::size_t equals = text.find('=');
			if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
				*message = "--token takes PLATFORM=TOKEN";
				return false;
			}
			options->platform_tokens[text.substr(0, equals)].push_back(text.substr(equals + 1));
		} else if (flag == "--oauth-token-lifetime") {
			if (!ParseNumber(value, 1ULL << 31, &number) || number == 0) {
				*message = "invalid --oauth-token-lifetime " + std::string(value);
				return false;
			}
			options->oauth_token_lifetime_s = static_cast<int64_t>(number);
		} else if (flag == "--fault-rate") {
			char *end = nullptr;
			errno = 0;
			const double rate = std::strtod(value, &end);
			if (errno != 0 || end == value || *end != '\0' || !(rate >= 0.0 && rate <= 1.0)) {
				*message = "invalid --fault-rate " + std::string(value) + " (a number in [0, 1])";
				return false;
			}
			options->fault_rate = rate;
		} else if (flag == "--fault-kinds") {
			options->fault_kinds = value;
		} else if (flag == "--fault-seed") {
			if (!ParseNumber(value, ~0ULL, &number)) {
				*message = "invalid --fault-seed " + std::string(value);
				return false;
			}
			options->fault_seed = number;
		} else if (flag == "--max-body-bytes" || flag == "--recent-events") {
			if (!ParseNumber(value, 1ULL << 32, &number) || number == 0) {
				*message = "invalid " + flag + " " + std::string(value);
				return false;
			}
			(flag == "--max-body-bytes" ? options->max_body_bytes : options->recent_events) =
			    static_cast<size_t>(number);
		} else {
			*message = "unknown option " + flag + "\n" + Usage();
			return false;
		}
	}
	if (options->tls_cert.empty() != options->tls_key.empty()) {
		*message = "--tls-cert and --tls-key go together";
		return false;
	}
	return true;
}

} // namespace capi::testserver
