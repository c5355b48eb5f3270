// A Querier over several Queriers (the head and the persisted partitions): one series per label set, samples
// de-duplicated by timestamp with the first querier winning, label names and values unioned.
#ifndef VIGIL_TSDB_STORAGE_MERGE_QUERIER_H_
#define VIGIL_TSDB_STORAGE_MERGE_QUERIER_H_

#include <memory>
#include <vector>

#include "tsdb/storage/storage.h"

namespace vigil::tsdb {

// `queriers` in priority order (freshest first). Select always asks its inputs for sorted sets, since the
// merge needs them.
std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers);

}  // namespace vigil::tsdb

#endif  // VIGIL_TSDB_STORAGE_MERGE_QUERIER_H_
