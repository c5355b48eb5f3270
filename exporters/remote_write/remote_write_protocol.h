// remote_write 1.0 as the queued sender speaks it (exporters/sender): snappy-compressed WriteRequest protobufs,
// with the headers the specification requires, counted in samples.
#ifndef VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_PROTOCOL_H_
#define VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_PROTOCOL_H_

#include "exporters/sender/queued_sender.h"

namespace vigil::remote_write {

inline exporters::SenderProtocol RemoteWriteProtocol() {
  exporters::SenderProtocol p;
  p.name = "remote_write";
  p.items = "samples";
  p.headers = {
      {"Content-Encoding", "snappy"},
      {"Content-Type", "application/x-protobuf"},
      {"X-Prometheus-Remote-Write-Version", "0.1.0"},
  };
  return p;
}

}  // namespace vigil::remote_write

#endif  // VIGIL_EXPORTERS_REMOTE_WRITE_REMOTE_WRITE_PROTOCOL_H_
