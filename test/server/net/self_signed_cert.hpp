// A throwaway self-signed certificate and key for tests that serve TLS (the HTTP client's unit tests and
// benchmark, capi_test_server's own test): made with the openssl command line tool (RSA-2048, CN
// localhost, valid 2 days) in a fresh temporary directory, removed again on destruction.
#pragma once

#include <string>

namespace capi::testserver {

class SelfSignedCert {
public:
	// Throws std::runtime_error when the openssl tool fails.
	explicit SelfSignedCert(const std::string &subject_alt_name = "IP:127.0.0.1,DNS:localhost");
	~SelfSignedCert();
	SelfSignedCert(const SelfSignedCert &) = delete;
	SelfSignedCert &operator=(const SelfSignedCert &) = delete;

	const std::string &cert_file() const { return cert_; }
	const std::string &key_file() const { return key_; }

private:
	void Remove();

	std::string dir_, cert_, key_;
};

} // namespace capi::testserver
