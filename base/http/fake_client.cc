#include "base/http/fake_client.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vigil::http {

void FakeClient::AddResponse(ClientResponse response) {
  absl::MutexLock lock(&mu_);
  script_.emplace_back(std::move(response));
}

void FakeClient::AddResponse(int status, std::string body) {
  ClientResponse response;
  response.status = status;
  response.body = std::move(body);
  AddResponse(std::move(response));
}

void FakeClient::AddError(absl::Status error) {
  absl::MutexLock lock(&mu_);
  script_.emplace_back(std::move(error));
}

void FakeClient::SetResponder(Responder responder) {
  absl::MutexLock lock(&mu_);
  responder_ = std::move(responder);
}

std::vector<RecordedRequest> FakeClient::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t FakeClient::pending() const {
  absl::MutexLock lock(&mu_);
  return script_.size();
}

absl::StatusOr<ClientResponse> FakeClient::Post(const std::string& url, const HeaderList& headers, std::string body,
                                                absl::Duration timeout) {
  return Answer({"POST", url, headers, std::move(body), timeout, false});
}

absl::StatusOr<ClientResponse> FakeClient::PostStream(const std::string& url, const HeaderList& headers,
                                                      ChunkSource next_chunk, absl::Duration timeout) {
  RecordedRequest request{"POST", url, headers, "", timeout, true};
  std::string chunk;
  for (;;) {
    chunk.clear();
    absl::StatusOr<bool> more = next_chunk(&chunk);
    if (!more.ok()) {
      absl::MutexLock lock(&mu_);
      requests_.push_back(std::move(request));
      return more.status();
    }
    if (!*more) break;
    request.body.append(chunk);
  }
  return Answer(std::move(request));
}

absl::StatusOr<ClientResponse> FakeClient::Get(const std::string& url, const HeaderList& headers,
                                               absl::Duration timeout) {
  return Answer({"GET", url, headers, "", timeout, false});
}

absl::StatusOr<ClientResponse> FakeClient::Answer(RecordedRequest request) {
  Responder responder;
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    if (!script_.empty()) {
      absl::StatusOr<ClientResponse> outcome = std::move(script_.front());
      script_.pop_front();
      return outcome;
    }
    responder = responder_;
  }
  // Called without the lock, so a responder may itself inspect the FakeClient.
  if (responder) return responder(request);
  return absl::FailedPreconditionError(
      absl::StrCat("FakeClient: no scripted response left for ", request.method, " ", request.url));
}

}  // namespace vigil::http
