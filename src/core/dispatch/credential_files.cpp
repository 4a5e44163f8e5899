#include "core/dispatch/credential_files.hpp"

#include "core/error.hpp"

#include <optional>

#include <nlohmann/json.hpp>

namespace capi::dispatch {
namespace {

constexpr std::uint32_t kGroupOrOtherBits = 0077;

[[noreturn]] void Throw(const Destination &destination, const std::string &key, std::string_view what) {
	std::string message = "destination ";
	message.append(destination.name).append(": credentials.").append(key).append(": ").append(what);
	throw Error(sqlstate::kInvalidParameterValue, message,
	            "A credential file is named as {\"file\": \"<name>\"}: a plain file name in the directory "
	            "set by capi.credentials_directory, owned by the server's user, mode 0600 or 0400.");
}

std::string Octal(std::uint32_t mode) {
	std::string text;
	for (int shift = 9; shift >= 0; shift -= 3)
		text.push_back(static_cast<char>('0' + ((mode >> shift) & 7)));
	return text;
}

// The reference's file name, or nullopt when value is not a reference (not an object with "file").
// Throws for an object with "file" that is not exactly {"file": "<plain name>"}.
std::optional<std::string> ReferenceName(const Destination &destination, const std::string &key,
                                         const nlohmann::json &value) {
	if (!value.is_object() || !value.contains("file"))
		return std::nullopt;
	const nlohmann::json &name = value.at("file");
	if (value.size() != 1 || !name.is_string())
		Throw(destination, key, "a credential file is named as {\"file\": \"<name>\"} and nothing else");
	const std::string problem = CredentialFileNameProblem(name.get_ref<const std::string &>());
	if (!problem.empty())
		Throw(destination, key, problem);
	return name.get<std::string>();
}

std::string
Resolve(const Destination &destination,
        const std::function<std::string(const std::string &key, const std::string &name)> &value_of) {
	const std::string &text = destination.credentials_json;
	nlohmann::json credentials = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	if (credentials.is_discarded() || !credentials.is_object())
		return text;
	bool replaced = false;
	for (auto item = credentials.begin(); item != credentials.end(); ++item) {
		std::optional<std::string> name = ReferenceName(destination, item.key(), item.value());
		if (!name)
			continue;
		item.value() = value_of(item.key(), *name);
		replaced = true;
	}
	return replaced ? credentials.dump() : text;
}

} // namespace

std::string CredentialFileNameProblem(std::string_view name) {
	if (name.empty() || name.size() > 255)
		return "the credential file's name must be 1 to 255 characters";
	for (char c : name)
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return "the credential file's name must be a plain file name in capi.credentials_directory "
			       "(ASCII "
			       "letters, digits, '.', '_', '-'; no '/')";
	if (name.front() == '.' || name.find("..") != std::string_view::npos)
		return "the credential file's name must not start with '.' or contain \"..\"";
	return {};
}

std::string CredentialFileProblem(const CredentialFileFacts &facts, std::uint32_t server_uid) {
	if (!facts.regular_file)
		return "the credential file is not a regular file";
	if (facts.owner_uid != server_uid)
		return "the credential file is not owned by the database server's operating-system user (chown it "
		       "to that user)";
	if ((facts.mode & kGroupOrOtherBits) != 0)
		return "the credential file is accessible by group or others (mode " + Octal(facts.mode) +
		       "; chmod 600 it)";
	if (facts.size > kMaxCredentialFileBytes)
		return "the credential file is larger than " + std::to_string(kMaxCredentialFileBytes) + " bytes";
	return {};
}

std::string CredentialFromFileContent(std::string content) {
	if (!content.empty() && content.back() == '\n') {
		content.pop_back();
		if (!content.empty() && content.back() == '\r')
			content.pop_back();
	}
	const char *problem = nullptr;
	if (content.empty())
		problem = "is empty";
	for (unsigned char c : content)
		if (c < 0x20 || c == 0x7f)
			problem = "holds a control character or more than one line";
	if (problem != nullptr)
		throw Error(sqlstate::kInvalidParameterValue, std::string("the credential file ") + problem);
	return content;
}

bool HasCredentialFiles(const Destination &destination) {
	const std::string &text = destination.credentials_json;
	nlohmann::json credentials = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	if (credentials.is_discarded() || !credentials.is_object())
		return false;
	for (const nlohmann::json &value : credentials)
		if (value.is_object() && value.contains("file"))
			return true;
	return false;
}

std::string ResolveCredentialFiles(const Destination &destination, const CredentialFileReader &read) {
	return Resolve(destination, [&](const std::string &key, const std::string &name) {
		try {
			return CredentialFromFileContent(read(name));
		} catch (const Error &error) {
			Throw(destination, key, error.what());
		}
	});
}

std::string CredentialFilesAsPlaceholders(const Destination &destination) {
	return Resolve(destination, [](const std::string &, const std::string &) {
		return std::string(kCredentialFilePlaceholder);
	});
}

void RequireCredentialsAvailable(const Destination &destination) {
	if (!destination.credentials_unavailable.empty())
		throw Error(sqlstate::kInvalidParameterValue, destination.credentials_unavailable);
}

} // namespace capi::dispatch
