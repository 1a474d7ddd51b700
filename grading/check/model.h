// Sequential specifications the linearizability checker tests histories against.
//
// Both models are products of independent registers, which is what makes them P-compositional
// (Herlihy & Wing's locality): a history is linearizable iff, for every register, the operations
// on that register alone are. RegisterOf() names an operation's register; the checker partitions by
// it (or, with partitioning off, searches the product state directly).
// - kv: one string register per key, initially "" (a get of a missing key returns "", and nil in
//   an answer is read as ""): get (reads `output`), put (`value`), append (`value` appended),
//   delete (back to "").
// - register: one register, initially nil: read (`output`, nil = never written), write (`value`),
//   cas (`value` expected, `new_value` written; a cas that did not match fails and, like every
//   :fail, took no effect).
// A model describes what each operation does to its register as a StepSpec; the search core
// (search.h) runs those on interned values, so models never allocate in the search loop.
// Models are stateless singletons: call them from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "grading/check/history.h"
#include "grading/check/status.h"

namespace tinykv::check {

enum class StepKind : uint8_t {
  kRead,    // legal iff the register holds `a`; no change
  kWrite,   // the register becomes `a`
  kAppend,  // the register becomes its value followed by `a` (nil counts as "")
  kCas,     // legal iff the register holds `a`; it becomes `b`
};

struct StepSpec {
  StepKind kind = StepKind::kRead;
  std::optional<std::string> a;
  std::optional<std::string> b;
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string_view name() const = 0;
  // Value of every register before any operation.
  virtual std::optional<std::string> InitialValue() const = 0;
  // OK when the model can interpret `op` (known `f`, needed fields present); otherwise a
  // kDataError naming the operation.
  virtual Status Validate(const Operation& op) const = 0;
  // The independent register `op` touches.
  virtual std::string RegisterOf(const Operation& op) const = 0;
  // What a completed (kOk) or unknown (kInfo) `op` does. REQUIRES: Validate(op).ok().
  // Reads whose outcome is unknown constrain nothing; the checker drops them before asking.
  virtual StepSpec Spec(const Operation& op) const = 0;
  // True when the operation never changes state (reads), so an unknown outcome can be dropped.
  virtual bool IsReadOnly(const Operation& op) const = 0;
  // The operation in words: `get "k7" → 'x 1 4 y'`, `cas(expect '1', set '2')`.
  virtual std::string Describe(const Operation& op) const = 0;
  // The same without naming the register, for a view that already shows it: `get → 'x 1 4 y'`.
  virtual std::string DescribeInRegister(const Operation& op) const { return Describe(op); }
  // A register in words: `key "k7"`, `the register`.
  virtual std::string RegisterName(const std::string& reg) const = 0;
};

const Model& KvModel();
const Model& RegisterModel();
// "kv" or "register"; nullptr for anything else.
const Model* FindModel(std::string_view name);

}  // namespace tinykv::check
