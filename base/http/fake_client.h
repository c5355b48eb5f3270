// A scripted vigil::http::Client for unit tests of code that makes HTTP calls: it records every request and
// answers with responses or errors queued by the test, so retry, backoff and error handling are tested without
// sockets.
//
//   FakeClient client;
//   client.AddError(absl::UnavailableError("connection refused"));
//   client.AddResponse(503);
//   client.AddResponse(200);
//   Shipper shipper(&client);  // Retries until the 200.
//   EXPECT_EQ(client.requests().size(), 3u);
#ifndef VIGIL_BASE_HTTP_FAKE_CLIENT_H_
#define VIGIL_BASE_HTTP_FAKE_CLIENT_H_

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/http/client.h"

namespace vigil::http {

// One request a FakeClient received.
struct RecordedRequest {
  std::string method;  // "GET" or "POST".
  std::string url;
  HeaderList headers;
  // For PostStream, the pieces its source produced, concatenated (up to a source error, if any).
  std::string body;
  absl::Duration timeout;
  // Whether the request came through PostStream.
  bool streamed = false;
};

// A Client that answers from a script. Thread-safe.
class FakeClient final : public Client {
 public:
  // Computes the outcome of a request when no scripted one is queued.
  using Responder = std::function<absl::StatusOr<ClientResponse>(const RecordedRequest&)>;

  // Queue outcomes, used one per request in the order queued.
  void AddResponse(ClientResponse response);
  void AddResponse(int status, std::string body = "");
  void AddError(absl::Status error);

  // Answers requests once the queue is empty. Without one, such a request fails with FailedPrecondition naming
  // it, so a test that sends more requests than it expected fails loudly.
  void SetResponder(Responder responder);

  // Every request received so far, oldest first.
  std::vector<RecordedRequest> requests() const;
  // How many scripted outcomes are still queued.
  size_t pending() const;

  absl::StatusOr<ClientResponse> Post(const std::string& url, const HeaderList& headers, std::string body,
                                      absl::Duration timeout) override;
  // Reads `next_chunk` to its end, records the concatenated pieces as the body and answers as Post does. If
  // the source fails, the request (with the body so far) is recorded and its error returned, without using a
  // scripted outcome: a real client gets no response then either.
  absl::StatusOr<ClientResponse> PostStream(const std::string& url, const HeaderList& headers, ChunkSource next_chunk,
                                            absl::Duration timeout) override;
  absl::StatusOr<ClientResponse> Get(const std::string& url, const HeaderList& headers,
                                     absl::Duration timeout) override;

 private:
  absl::StatusOr<ClientResponse> Answer(RecordedRequest request);

  mutable absl::Mutex mu_;
  std::deque<absl::StatusOr<ClientResponse>> script_ ABSL_GUARDED_BY(mu_);
  Responder responder_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_FAKE_CLIENT_H_
