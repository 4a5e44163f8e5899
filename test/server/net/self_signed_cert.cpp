#include "server/net/self_signed_cert.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace capi::testserver {

SelfSignedCert::SelfSignedCert(const std::string &subject_alt_name) {
	char pattern[] = "/tmp/capi_test_cert_XXXXXX";
	if (mkdtemp(pattern) == nullptr) {
		throw std::runtime_error("mkdtemp failed");
	}
	dir_ = pattern;
	cert_ = dir_ + "/cert.pem";
	key_ = dir_ + "/key.pem";
	std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
	                      "subjectAltName=" +
	                      subject_alt_name + " -keyout " + key_ + " -out " + cert_ + " >/dev/null 2>&1";
	if (std::system(command.c_str()) != 0) {
		Remove(); // the destructor does not run when the constructor throws
		throw std::runtime_error("could not run: " + command);
	}
}

SelfSignedCert::~SelfSignedCert() {
	Remove();
}

void SelfSignedCert::Remove() {
	std::remove(cert_.c_str());
	std::remove(key_.c_str());
	rmdir(dir_.c_str());
}

} // namespace capi::testserver
