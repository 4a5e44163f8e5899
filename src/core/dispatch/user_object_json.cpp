#include "core/dispatch/user_object_json.hpp"

#include <vector>

#include "core/dispatch/json_writer.hpp"

namespace capi::dispatch {

void AppendUserObject(std::string *out, const platforms::UserObjectMapping &mapping, const IdentityBag &bag) {
	out->push_back('{');
	bool first = true;
	auto open_member = [&](std::string_view name) {
		if (!first) {
			out->push_back(',');
		}
		first = false;
		out->push_back('"');
		out->append(name);
		out->append("\":");
	};
	for (const platforms::UserKey &key : mapping) {
		if (key.form == platforms::UserKeyForm::kPlain) {
			std::string_view value = bag.Plain(key.plain);
			if (!value.empty()) {
				open_member(key.name);
				AppendJsonString(out, value);
			}
			continue;
		}
		const std::vector<std::string_view> &values = bag.Values(key.field);
		if (values.empty()) {
			continue;
		}
		open_member(key.name);
		if (key.form == platforms::UserKeyForm::kFieldFirst) {
			AppendJsonString(out, values.front());
			continue;
		}
		out->push_back('[');
		for (std::size_t i = 0; i < values.size(); ++i) {
			if (i > 0) {
				out->push_back(',');
			}
			AppendJsonString(out, values[i]);
		}
		out->push_back(']');
	}
	out->push_back('}');
}

} // namespace capi::dispatch
