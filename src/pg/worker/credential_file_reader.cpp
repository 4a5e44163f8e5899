#include "pg/worker/credential_file_reader.hpp"

#include "core/dispatch/credential_files.hpp"
#include "core/error.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace capi::pg::worker {
namespace {

[[noreturn]] void Refuse(const std::string &problem) {
	throw Error(sqlstate::kInvalidParameterValue, problem);
}

class File {
public:
	explicit File(int fd) : fd_(fd) {}
	File(const File &) = delete;
	File &operator=(const File &) = delete;
	~File() {
		if (fd_ >= 0)
			close(fd_);
	}
	int fd() const { return fd_; }

private:
	int fd_;
};

// O_NOFOLLOW: a symbolic link is refused (its target could be anywhere); O_NONBLOCK: a FIFO does not
// block the worker (it is then refused as not a regular file). The checks are made on the open
// descriptor, so the file checked is the file read.
std::string ReadCredentialFile(const std::string &directory, const std::string &name) {
	if (directory.empty())
		Refuse("names a credential file, but capi.credentials_directory is not set (a superuser setting: "
		       "set it and reload)");
	const std::string path = directory + "/" + name;
	File file(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
	if (file.fd() < 0) {
		const int error = errno;
		if (error == ELOOP)
			Refuse("the credential file is a symbolic link (not allowed)");
		Refuse(std::string("the credential file cannot be opened in capi.credentials_directory (") +
		       std::strerror(error) + ")");
	}
	struct stat facts {};
	if (fstat(file.fd(), &facts) != 0)
		Refuse(std::string("the credential file cannot be examined (") + std::strerror(errno) + ")");
	dispatch::CredentialFileFacts checked;
	checked.regular_file = S_ISREG(facts.st_mode);
	checked.owner_uid = static_cast<std::uint32_t>(facts.st_uid);
	checked.mode = static_cast<std::uint32_t>(facts.st_mode & 07777);
	checked.size = static_cast<std::uint64_t>(facts.st_size);
	const std::string problem =
	    dispatch::CredentialFileProblem(checked, static_cast<std::uint32_t>(geteuid()));
	if (!problem.empty())
		Refuse(problem);
	std::string content;
	char buffer[4096];
	for (;;) {
		const ssize_t got = read(file.fd(), buffer, sizeof buffer);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			Refuse(std::string("the credential file cannot be read (") + std::strerror(errno) + ")");
		if (got == 0)
			break;
		content.append(buffer, static_cast<std::size_t>(got));
		if (content.size() > dispatch::kMaxCredentialFileBytes)
			Refuse("the credential file is larger than " + std::to_string(dispatch::kMaxCredentialFileBytes) +
			       " bytes");
	}
	return content;
}

} // namespace

dispatch::Destination WithCredentialFiles(dispatch::Destination destination, const std::string &directory) {
	destination.credentials_unavailable.clear();
	if (!dispatch::HasCredentialFiles(destination))
		return destination;
	try {
		destination.credentials_json = dispatch::ResolveCredentialFiles(
		    destination, [&](const std::string &name) { return ReadCredentialFile(directory, name); });
	} catch (const Error &error) {
		destination.credentials_unavailable = error.what();
	}
	return destination;
}

} // namespace capi::pg::worker
