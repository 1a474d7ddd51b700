// Printable: bytes shown in an error message or a test failure, one line, unambiguous.
//
// Keys and values in the MVCC layer are binary (encoded keys are full of 0x00 and 0xFF), so a
// message that pasted them raw would be unreadable or cut short by a terminal. Printable ASCII
// stays as it is, except '\\' and '"'; every other byte becomes \xNN. The result is quoted, so an
// empty key is visible as "".
#pragma once

#include <string>
#include <string_view>

namespace tinykv::txn {

std::string Printable(std::string_view bytes);

}  // namespace tinykv::txn
