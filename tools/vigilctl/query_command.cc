#include "tools/vigilctl/query_command.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"

namespace vigil::vigilctl {
namespace {

// application/x-www-form-urlencoded escaping.
std::string FormEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
  return out;
}

std::string FormatLabels(const rapidjson::Value& metric) {
  std::string name;
  std::string rest;
  for (auto it = metric.MemberBegin(); it != metric.MemberEnd(); ++it) {
    std::string_view k(it->name.GetString(), it->name.GetStringLength());
    std::string_view v = it->value.IsString() ? std::string_view(it->value.GetString(), it->value.GetStringLength())
                                              : std::string_view();
    if (k == "__name__") {
      name = std::string(v);
      continue;
    }
    if (!rest.empty()) rest.push_back(',');
    absl::StrAppend(&rest, std::string(k), "=\"", std::string(v), "\"");
  }
  if (rest.empty()) return name.empty() ? "{}" : name;
  return absl::StrCat(name, "{", rest, "}");
}

// [t, "v"] -> time and value columns; false if the pair is malformed.
bool FormatPoint(const rapidjson::Value& p, std::string* time, std::string* value) {
  if (!p.IsArray() || p.Size() != 2 || !p[0].IsNumber() || !p[1].IsString()) return false;
  double secs = p[0].GetDouble();
  int64_t ms = static_cast<int64_t>(std::llround(secs * 1000));
  *time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
  *value = p[1].GetString();
  return true;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(3, 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      out.append(r[i]);
      if (i + 1 < r.size()) out.append(widths[i] - r[i].size() + 2, ' ');
    }
    out.push_back('\n');
  }
  return out;
}

absl::Status Malformed(std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("unexpected response: ", std::string(why)));
}

}  // namespace

absl::StatusOr<std::string> FormatQueryResponse(std::string_view body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("status") || !d["status"].IsString()) {
    return Malformed(absl::StrCat("not a Prometheus API envelope: ", std::string(body.substr(0, 200))));
  }
  if (std::string_view(d["status"].GetString()) != "success") {
    std::string type = d.HasMember("errorType") && d["errorType"].IsString() ? d["errorType"].GetString() : "error";
    std::string err = d.HasMember("error") && d["error"].IsString() ? d["error"].GetString() : "";
    return absl::FailedPreconditionError(absl::StrCat(type, ": ", err));
  }
  if (!d.HasMember("data") || !d["data"].IsObject() || !d["data"].HasMember("resultType") ||
      !d["data"]["resultType"].IsString() || !d["data"].HasMember("result")) {
    return Malformed("no data.resultType");
  }
  const std::string_view type = d["data"]["resultType"].GetString();
  const rapidjson::Value& result = d["data"]["result"];
  std::vector<std::vector<std::string>> rows = {{"LABELS", "TIME", "VALUE"}};
  std::string time, value;
  if (type == "scalar" || type == "string") {
    if (!FormatPoint(result, &time, &value)) return Malformed("bad scalar");
    rows.push_back({std::string(type), time, value});
  } else if (type == "vector" || type == "matrix") {
    if (!result.IsArray()) return Malformed("result is not an array");
    for (const auto& s : result.GetArray()) {
      if (!s.IsObject() || !s.HasMember("metric") || !s["metric"].IsObject()) return Malformed("series without metric");
      std::string labels = FormatLabels(s["metric"]);
      if (type == "vector") {
        if (!s.HasMember("value") || !FormatPoint(s["value"], &time, &value)) return Malformed("bad vector sample");
        rows.push_back({labels, time, value});
        continue;
      }
      if (!s.HasMember("values")) continue;
      if (!s["values"].IsArray()) return Malformed("values is not an array");
      for (const auto& p : s["values"].GetArray()) {
        if (!FormatPoint(p, &time, &value)) return Malformed("bad matrix point");
        rows.push_back({labels, time, value});
      }
    }
  } else {
    return Malformed(absl::StrCat("unknown resultType ", std::string(type)));
  }
  std::string out = Table(rows);
  for (const char* key : {"warnings", "infos"}) {
    if (!d.HasMember(key) || !d[key].IsArray()) continue;
    for (const auto& w : d[key].GetArray()) {
      if (w.IsString()) absl::StrAppend(&out, key[0] == 'w' ? "warning: " : "info: ", w.GetString(), "\n");
    }
  }
  return out;
}

absl::StatusOr<std::string> RunQuery(http::Client* client, const QueryArgs& args) {
  std::string url = args.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::string form = absl::StrCat("query=", FormEscape(args.expr));
  if (args.range) {
    absl::StrAppend(&url, "/api/v1/query_range");
    absl::StrAppend(&form, "&start=", FormEscape(args.start), "&end=", FormEscape(args.end),
                    "&step=", FormEscape(args.step));
  } else {
    absl::StrAppend(&url, "/api/v1/query");
    if (!args.time.empty()) absl::StrAppend(&form, "&time=", FormEscape(args.time));
  }
  absl::StatusOr<http::ClientResponse> resp =
      client->Post(url, {{"Content-Type", "application/x-www-form-urlencoded"}}, form, args.timeout);
  if (!resp.ok()) return resp.status();
  absl::StatusOr<std::string> table = FormatQueryResponse(resp->body);
  if (!table.ok() && table.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::UnavailableError(absl::StrCat("HTTP ", resp->status, ": ", table.status().message()));
  }
  return table;
}

}  // namespace vigil::vigilctl
