#include "store/server/raw_api.h"

#include <memory>
#include <vector>

namespace tinykv::store {

std::optional<Cf> RequestCf(const std::string& name) {
  if (name.empty()) return Cf::kDefault;
  return CfFromName(name);
}

std::string UnknownCfError(const std::string& name) {
  return "unknown column family \"" + name + "\" (want default, lock or write)";
}

void FillError(const Status& status, errorpb::Error* region_error, std::string* error) {
  if (status.IsRegionError()) {
    if (!region_error->ParseFromString(status.detail())) {
      // A garbled payload still has to reach the client as a region error, so it retries.
      region_error->Clear();
    }
    if (region_error->message().empty()) region_error->set_message(status.message());
    return;
  }
  *error = status.ToString();
}

kvrpcpb::RawGetResponse RawGet([[maybe_unused]] Storage& storage,
                               [[maybe_unused]] const kvrpcpb::RawGetRequest& req) {
  // BEGIN SOLUTION(lab1)
  // STUB: return {};
  kvrpcpb::RawGetResponse resp;
  std::optional<Cf> cf = RequestCf(req.cf());
  if (!cf) {
    resp.set_error(UnknownCfError(req.cf()));
    return resp;
  }
  if (req.key().empty()) {
    resp.set_error("RawGet: key is empty");
    return resp;
  }
  std::unique_ptr<StorageReader> reader;
  Status s = storage.Reader(req.context(), &reader);
  if (s.ok()) s = reader->GetCF(*cf, req.key(), resp.mutable_value());
  if (s.IsNotFound()) {
    resp.clear_value();
    resp.set_not_found(true);
  } else if (!s.ok()) {
    FillError(s, &resp);
  }
  return resp;
  // END SOLUTION
}

kvrpcpb::RawPutResponse RawPut([[maybe_unused]] Storage& storage,
                               [[maybe_unused]] const kvrpcpb::RawPutRequest& req) {
  // BEGIN SOLUTION(lab1)
  // STUB: return {};
  kvrpcpb::RawPutResponse resp;
  std::optional<Cf> cf = RequestCf(req.cf());
  if (!cf) {
    resp.set_error(UnknownCfError(req.cf()));
    return resp;
  }
  if (req.key().empty()) {
    resp.set_error("RawPut: key is empty");
    return resp;
  }
  Status s = storage.Write(req.context(), {Modify::Put(*cf, req.key(), req.value())});
  if (!s.ok()) FillError(s, &resp);
  return resp;
  // END SOLUTION
}

kvrpcpb::RawDeleteResponse RawDelete([[maybe_unused]] Storage& storage,
                                     [[maybe_unused]] const kvrpcpb::RawDeleteRequest& req) {
  // BEGIN SOLUTION(lab1)
  // STUB: return {};
  kvrpcpb::RawDeleteResponse resp;
  std::optional<Cf> cf = RequestCf(req.cf());
  if (!cf) {
    resp.set_error(UnknownCfError(req.cf()));
    return resp;
  }
  if (req.key().empty()) {
    resp.set_error("RawDelete: key is empty");
    return resp;
  }
  Status s = storage.Write(req.context(), {Modify::Delete(*cf, req.key())});
  if (!s.ok()) FillError(s, &resp);
  return resp;
  // END SOLUTION
}

kvrpcpb::RawScanResponse RawScan([[maybe_unused]] Storage& storage,
                                 [[maybe_unused]] const kvrpcpb::RawScanRequest& req) {
  // BEGIN SOLUTION(lab1)
  // STUB: return {};
  kvrpcpb::RawScanResponse resp;
  std::optional<Cf> cf = RequestCf(req.cf());
  if (!cf) {
    resp.set_error(UnknownCfError(req.cf()));
    return resp;
  }
  if (req.limit() == 0) return resp;
  std::unique_ptr<StorageReader> reader;
  Status s = storage.Reader(req.context(), &reader);
  if (!s.ok()) {
    FillError(s, &resp);
    return resp;
  }
  std::unique_ptr<Iterator> it = reader->IterCF(*cf);
  for (it->Seek(req.start_key());
       it->Valid() && static_cast<uint32_t>(resp.kvs_size()) < req.limit(); it->Next()) {
    kvrpcpb::KvPair* pair = resp.add_kvs();
    pair->set_key(it->key().data(), it->key().size());
    pair->set_value(it->value().data(), it->value().size());
  }
  if (Status is = it->status(); !is.ok()) {
    // A half-read scan would look like the end of the data: report the failure instead.
    resp.clear_kvs();
    FillError(is, &resp);
  }
  return resp;
  // END SOLUTION
}

}  // namespace tinykv::store
