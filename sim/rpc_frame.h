// The framing of request / response RPCs over the simulated network (sim::Network::Call): a
// request payload is the method name, one NUL byte, then the request body; a reply is the
// response body, or an error frame — a NUL byte followed by a one-line reason — when the server
// could not decode the request. Bytes only: what the bodies are (serialized protobuf in this
// project; no protobuf message serializes to a leading NUL) is the callers' business.
#pragma once

#include <string>
#include <string_view>

namespace tinykv::sim {

// "<method>\0<body>".
std::string EncodeRpcFrame(std::string_view method, std::string_view body);
// Splits a request payload. False when there is no NUL or the method name is empty.
bool DecodeRpc(std::string_view payload, std::string_view* method, std::string_view* body);

// True for an error frame; *reason gets its text (may be null).
bool IsRpcErrorFrame(std::string_view reply, std::string* reason);
std::string EncodeRpcErrorFrame(std::string_view reason);

}  // namespace tinykv::sim
